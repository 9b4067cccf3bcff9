//! `skiff login`.

use std::io::{BufRead, IsTerminal, Write};

use crate::commands::context::Context;
use crate::commands::output;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(override_usage = "[OPTIONS] [SERVER]")]
pub struct Args {
    /// Password
    #[arg(short, long, value_name = "string")]
    pub password: Option<String>,
    /// Take the password from stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// Username
    #[arg(short, long, value_name = "string")]
    pub username: Option<String>,
    /// Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          action = clap::ArgAction::Set, hide_default_value = true, hide_possible_values = true)]
    pub tls_verify: Option<bool>,
    /// Registry
    #[arg(value_name = "SERVER")]
    pub server: Option<String>,
}

/// A line typed at the terminal; without echo for a password.
fn prompt(what: &str, echo: bool) -> Result<String> {
    let mut err = std::io::stderr();
    let _ = write!(err, "{what}: ");
    let _ = err.flush();
    let stdin = std::io::stdin();
    let saved = (!echo)
        .then(|| rustix::termios::tcgetattr(&stdin).ok())
        .flatten();
    if let Some(t) = &saved {
        let mut quiet = t.clone();
        quiet.local_modes -= rustix::termios::LocalModes::ECHO;
        let _ = rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &quiet);
    }
    let mut line = String::new();
    let r = stdin.lock().read_line(&mut line);
    if let Some(t) = &saved {
        let _ = rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, t);
        let _ = writeln!(err);
    }
    r.map_err(|e| Error::Other(format!("reading the {what}: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub fn run(ctx: &Context, args: Args) -> Result<u8> {
    if args.password.is_some() && args.password_stdin {
        return Err(Error::InvalidArgument(
            "--password and --password-stdin are mutually exclusive".into(),
        ));
    }
    let tty = std::io::stdin().is_terminal();
    let password = if args.password_stdin {
        if args.username.is_none() {
            return Err(Error::InvalidArgument(
                "Must provide --username with --password-stdin".into(),
            ));
        }
        let mut s = String::new();
        std::io::stdin()
            .lock()
            .read_to_string_lossy(&mut s)
            .map_err(|e| Error::Other(format!("reading the password from stdin: {e}")))?;
        Some(s.trim_end_matches(['\n', '\r']).to_owned())
    } else {
        if args.password.is_some() {
            eprintln!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        }
        args.password.clone()
    };
    // Never a prompt without a terminal, never a password read from a
    // pipe without --password-stdin.
    let (user, password) = match (args.username.clone(), password) {
        (Some(u), Some(p)) => (u, p),
        (u, p) if tty => {
            let u = match u {
                Some(u) => u,
                None => prompt("Username", true)?,
            };
            let p = match p {
                Some(p) => p,
                None => prompt("Password", false)?,
            };
            (u, p)
        }
        _ => {
            return Err(Error::Other(
                "Cannot perform an interactive login from a non TTY device".into(),
            ))
        }
    };
    if user.is_empty() || password.is_empty() {
        return Err(Error::Other("Username and password are required".into()));
    }
    let (path, helper) =
        ctx.engine()?
            .login(args.server.as_deref(), &user, &password, args.tls_verify)?;
    if helper.is_none() {
        eprintln!(
            "WARNING! Your credentials are stored unencrypted in '{}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n",
            path.display()
        );
    }
    output::outln("Login Succeeded")?;
    Ok(0)
}

trait ReadLossy {
    fn read_to_string_lossy(&mut self, s: &mut String) -> std::io::Result<()>;
}

impl<R: std::io::Read> ReadLossy for R {
    fn read_to_string_lossy(&mut self, s: &mut String) -> std::io::Result<()> {
        let mut b = Vec::new();
        self.read_to_end(&mut b)?;
        s.push_str(&String::from_utf8_lossy(&b));
        Ok(())
    }
}
