//! A round-robin TCP proxy for the load test: each client connection goes to the next upstream,
//! as a layer-4 load balancer does. `atrium-load-proxy LISTEN UPSTREAM...`; prints how many
//! connections each upstream got when it is stopped (SIGTERM).
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use tokio::{
    io::copy_bidirectional,
    net::{TcpListener, TcpStream},
    signal::unix::{signal, SignalKind},
};

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((listen, upstreams)) = args.split_first().filter(|(_, rest)| !rest.is_empty()) else {
        eprintln!("usage: atrium-load-proxy LISTEN UPSTREAM...");
        std::process::exit(2);
    };
    let upstreams: Arc<Vec<SocketAddr>> =
        Arc::new(upstreams.iter().map(|u| u.parse().expect("an upstream address host:port")).collect());
    let counts: Arc<Vec<AtomicUsize>> = Arc::new(upstreams.iter().map(|_| AtomicUsize::new(0)).collect());
    let listener = TcpListener::bind(listen).await?;
    let next = Arc::new(AtomicUsize::new(0));
    let serve = {
        let counts = counts.clone();
        async move {
            loop {
                let (mut client, _) = listener.accept().await?;
                let i = next.fetch_add(1, Ordering::Relaxed) % upstreams.len();
                counts[i].fetch_add(1, Ordering::Relaxed);
                let upstream = upstreams[i];
                tokio::spawn(async move {
                    let _ = client.set_nodelay(true);
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = server.set_nodelay(true);
                        let _ = copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
            #[allow(unreachable_code)]
            Ok::<(), std::io::Error>(())
        }
    };
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        result = serve => result?,
        _ = terminate.recv() => {}
    }
    let per_upstream: Vec<String> = counts.iter().map(|c| c.load(Ordering::Relaxed).to_string()).collect();
    println!("PROXY connections={}", per_upstream.join(","));
    Ok(())
}
