//! `switchyard serve`: the gateway (`switchyard-gateway`), started with
//! the command line's options and the upstream key from
//! `OPENROUTER_API_KEY`.

use switchyard::openrouter::ApiKey;
use switchyard::{render, RulesetError};
use switchyard_gateway::{Options, ServeError};

use crate::cli::ServeArgs;
use crate::output::{Status, Stream};

/// Runs the gateway until SIGTERM or SIGINT.
pub fn run(args: ServeArgs) -> Status {
    let key = match std::env::var("OPENROUTER_API_KEY") {
        Ok(key) => key,
        Err(_) => {
            Stream::Stderr.line("error: set OPENROUTER_API_KEY to the upstream's API key");
            return Status::Usage;
        }
    };
    let api_key = match ApiKey::new(key) {
        Ok(k) => k,
        Err(e) => {
            Stream::Stderr.line(&format!("error: OPENROUTER_API_KEY: {e}"));
            return Status::Usage;
        }
    };
    let options = Options {
        rules: args.rules,
        catalog: args.catalog,
        listen: args.listen,
        upstream: args.upstream,
        config: args.config,
        api_key,
    };
    match switchyard_gateway::run(options) {
        Ok(()) => Status::Success,
        Err(ServeError::Rules {
            source:
                RulesetError::Invalid {
                    diagnostics,
                    sources,
                },
            ..
        }) => {
            Stream::Stderr
                .line(render::human::render_all(&sources, &diagnostics, false).trim_end());
            Status::Findings
        }
        Err(e) => {
            Stream::Stderr.line(&format!("error: {e}"));
            Status::Usage
        }
    }
}
