//! A minimal web service answering Dalgo's `GET /api/organizations/flags`
//! from the dalgo library: the org comes from the `x-dalgo-org` header, the
//! body is `{"FLAG": bool, …}` computed in one query.
//!
//!     cargo run --example flags_endpoint -- 127.0.0.1:8099
//!     curl -H 'x-dalgo-org: acme-ngo' http://127.0.0.1:8099/api/organizations/flags
//!
//! Plain tokio, so the example has no web framework to learn; a real service
//! would use its own.

use dalgo::config::{Config, Overrides};
use dalgo::ops::Dalgo;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8099".into());
    let cfg = Config::load(&Overrides::default())?;
    let dalgo = std::sync::Arc::new(Dalgo::connect(cfg).await?);
    let listener = TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{addr}/api/organizations/flags");
    loop {
        let (stream, _) = listener.accept().await?;
        let dalgo = dalgo.clone();
        tokio::spawn(async move {
            if let Err(e) = serve(stream, &dalgo).await {
                eprintln!("request failed: {e}");
            }
        });
    }
}

async fn serve(stream: TcpStream, dalgo: &Dalgo) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).await?;
    let mut org = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("x-dalgo-org")
        {
            org = Some(value.trim().to_string());
        }
    }
    let (status, body) = if !request_line.starts_with("GET /api/organizations/flags") {
        ("404 Not Found", r#"{"detail":"not found"}"#.to_string())
    } else if let Some(org) = org {
        match dalgo.org(&org).flags().map().await {
            Ok(flags) => ("200 OK", serde_json::to_string(&flags).unwrap_or_default()),
            Err(e) if e.kind() == dalgo::ErrorKind::NotFound => ("404 Not Found", r#"{"detail":"no such org"}"#.into()),
            Err(e) => ("500 Internal Server Error", serde_json::json!({ "detail": e.to_string() }).to_string()),
        }
    } else {
        ("400 Bad Request", r#"{"detail":"x-dalgo-org header missing"}"#.to_string())
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    reader.into_inner().write_all(response.as_bytes()).await
}
