use super::*;

#[test]
fn path_segments_are_encoded() {
    assert_eq!(encode("dev pool/1"), "dev%20pool%2F1");
}

/// Answers each request with the first canned answer whose path prefix
/// it matches, as Prefect 3 answers them (the status and body of its
/// API for a block type registered a moment before its schema), and
/// records the requests.
async fn answer(listener: tokio::net::TcpListener, answers: Vec<(&'static str, u16, &'static str)>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut sock, _)) = listener.accept().await else { return };
        let mut buf = vec![0u8; 16384];
        let n = sock.read(&mut buf).await.unwrap_or(0);
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
        let (status, body) =
            answers.iter().find(|(p, _, _)| path.starts_with(p)).map_or((500, "{}"), |(_, s, b)| (*s, *b));
        let reply = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = sock.write_all(reply.as_bytes()).await;
    }
}

/// Prefect registers a block type, then its schema: a block written in
/// between is skipped like one of an unknown type (it failed with "no
/// schema for block type" under load).
#[tokio::test]
async fn a_block_type_without_its_schema_yet_is_skipped() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let answers = vec![
        ("/api/block_types/slug/half/block_documents/", 404, r#"{"detail": "Block document not found"}"#),
        ("/api/block_types/slug/half", 200, r#"{"id": "5e0b3f4e-8d3c-4c1e-9f57-1f3c2b9a0d11", "slug": "half"}"#),
        ("/api/block_schemas/filter", 200, "[]"),
    ];
    tokio::spawn(answer(listener, answers));
    let cfg = PrefectConfig {
        api_url: url,
        api_key: None,
        timeout: std::time::Duration::from_secs(10),
        retries: 0,
        worker_pool: "pool".into(),
        eks_worker_pool: None,
        entrypoint: crate::config::DEFAULT_ENTRYPOINT.into(),
        pull_steps: json!([]),
        airbyte_task_timeout: 15,
    };
    let written = Client::new(&cfg).unwrap().upsert_block("half", "a-block", &json!({"value": "v"})).await;
    assert!(matches!(written, Ok(None)), "{written:?}");
}
