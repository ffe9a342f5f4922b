//! A TCP proxy in front of PostgreSQL that forwards a session's start-up and
//! then stops forwarding what the client sends, while still reading it: the
//! link looks alive (every byte is acknowledged, keepalive is answered) but
//! no statement ever reaches the server, so its `statement_timeout` never
//! fires. What a stalled NAT or a hung pooler does to a client.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct StallProxy {
    port: u16,
    swallowed: Arc<AtomicUsize>,
}

impl StallProxy {
    /// Listens on a free port of 127.0.0.1, in front of `upstream` (host:port).
    pub fn start(upstream: &str) -> StallProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let swallowed = Arc::new(AtomicUsize::new(0));
        let (upstream, counter) = (upstream.to_string(), swallowed.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, counter) = (upstream.clone(), counter.clone());
                std::thread::spawn(move || relay(client, &upstream, &counter));
            }
        });
        StallProxy { port, swallowed }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Bytes the client sent after its start-up that never reached the server.
    pub fn swallowed(&self) -> usize {
        self.swallowed.load(Ordering::SeqCst)
    }
}

fn relay(mut client: TcpStream, upstream: &str, swallowed: &AtomicUsize) {
    let Ok(mut server) = TcpStream::connect(upstream) else { return };
    let (Ok(mut from_server), Ok(mut to_client)) = (server.try_clone(), client.try_clone()) else { return };
    std::thread::spawn(move || std::io::copy(&mut from_server, &mut to_client));
    // The start-up message: a 4-byte length that counts itself, then the rest.
    let mut len = [0u8; 4];
    if client.read_exact(&mut len).is_err() {
        return;
    }
    let mut rest = vec![0u8; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
    if client.read_exact(&mut rest).is_err() || server.write_all(&len).is_err() || server.write_all(&rest).is_err() {
        return;
    }
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = client.read(&mut buf) {
        swallowed.fetch_add(n, Ordering::SeqCst);
    }
}
