//! The `dalgo` command: parses arguments, runs the library, renders results
//! and maps errors to exit codes.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // `COMPLETE=bash dalgo` and the shell's later questions: answered here, then exit.
    clap_complete::CompleteEnv::with_factory(cli::command).complete();
    let args = cli::parse();
    cli::init_logging(&args.global);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let format = args.global.output;
    match runtime.block_on(cli::run(args)) {
        Ok(status) => ExitCode::from(status.code()),
        Err(e) => ExitCode::from(cli::output::report_error(&e, format)),
    }
}
