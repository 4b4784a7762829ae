use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "leadguard-hub", version, about = "Leadguard sync hub")]
struct Cli {
    /// Directory holding the hub database.
    #[arg(long, env = "LEADGUARD_HUB_DATA", default_value = "hub-data")]
    data: std::path::PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the hub over HTTP.
    Serve {
        #[arg(long, default_value = "127.0.0.1:7878")]
        listen: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { listen } => {
            std::fs::create_dir_all(&cli.data).context("creating the hub data directory")?;
            let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
            eprintln!("leadguard-hub listening on http://{}", listener.local_addr()?);
            axum::serve(listener, leadguard_hub::app()).await?;
        }
    }
    Ok(())
}
