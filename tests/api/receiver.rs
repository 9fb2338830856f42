//! A local HTTP receiver for outbound webhooks: records every request (headers and raw body) and
//! answers as the test scripts it, one behaviour per request in order, then 200.
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    Router,
};

/// How the receiver answers one request.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Status(u16),
    /// Waits this long before answering 200 (longer than the sender's time limit: a timeout).
    Hang(Duration),
}

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
}

pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

async fn receive(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let answer = {
        let mut inner = inner.lock().unwrap();
        inner.received.push(Received { headers, body: String::from_utf8_lossy(&body).into_owned() });
        inner.script.pop_front()
    };
    match answer {
        None => StatusCode::OK,
        Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap(),
        Some(Answer::Hang(wait)) => {
            tokio::time::sleep(wait).await;
            StatusCode::OK
        }
    }
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let router = Router::new().fallback(receive).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hooks/atrium", listener.local_addr().unwrap().port());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Receiver { url, inner }
    }

    /// The next requests are answered like this, in order (then 200 again).
    pub fn script(&self, answers: &[Answer]) {
        self.inner.lock().unwrap().script.extend(answers.iter().copied());
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Waits until at least `count` requests came (panics after `timeout`).
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(tokio::time::Instant::now() < deadline, "{} of {count} requests after {timeout:?}", received.len());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
