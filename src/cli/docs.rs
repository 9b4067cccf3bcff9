//! The man pages (`man/`) and shell completions (`completions/`), generated
//! from the clap tree (`cli::command()`, with docker's flag grammar) plus the descriptions and examples
//! of `cli::examples`, and checked in. The unit test below fails when the
//! checked-in files differ from what the tree generates now; `make docs`
//! (`SKIFF_UPDATE_DOCS=1 cargo test --lib cli::docs`) rewrites them.
//!
//! Test-only: clap_mangen and clap_complete are dev-dependencies, so the
//! shipped binary carries neither. The output holds no date, path or
//! version, so it is the same on every machine.

use std::io::{self, Write};
use std::path::Path;

use clap::Command;
use clap_complete::Shell;

use super::examples;

const STALE: &str = "man/ and completions/ are stale: run make docs";

/// Writes `outdir/man/*.1` (one page per command path, as podman and docker
/// name them: skiff-container-ls.1) and `outdir/completions/{skiff.bash,
/// _skiff,skiff.fish}`. Returns the files written, relative to `outdir`.
pub fn generate(outdir: &Path) -> io::Result<Vec<String>> {
    let mut written = Vec::new();
    std::fs::create_dir_all(outdir.join("man"))?;
    std::fs::create_dir_all(outdir.join("completions"))?;
    let mut root = with_pages(super::command(), "");
    root.build();
    man_pages(&root, "", outdir, &mut written)?;
    for (shell, file) in [
        (Shell::Bash, "skiff.bash"),
        (Shell::Zsh, "_skiff"),
        (Shell::Fish, "skiff.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut super::command(), "skiff", &mut buf);
        let rel = format!("completions/{file}");
        std::fs::write(outdir.join(&rel), buf)?;
        written.push(rel);
    }
    Ok(written)
}

/// The command tree with each command's long description attached, so the
/// man page's DESCRIPTION is docker's text rather than the one-line about.
fn with_pages(mut cmd: Command, path: &str) -> Command {
    if let Some(page) = examples::page(path) {
        cmd = cmd.long_about(page.description);
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subs {
        let sub = join(path, &name);
        cmd = cmd.mut_subcommand(&name, |s| with_pages(s, &sub));
    }
    cmd
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path} {name}")
    }
}

fn man_pages(cmd: &Command, path: &str, outdir: &Path, out: &mut Vec<String>) -> io::Result<()> {
    let man = clap_mangen::Man::new(full_usage(cmd.clone()))
        .source("skiff")
        .manual("skiff manual");
    let rel = format!("man/{}", man.get_filename());
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut buf)?;
    }
    if let Some(page) = examples::page(path) {
        render_examples(&mut buf, page.examples)?;
    }
    std::fs::write(outdir.join(&rel), once_preamble(&buf))?;
    out.push(rel);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_pages(sub, &join(path, sub.get_name()), outdir, out)?;
    }
    Ok(())
}

/// A usage the Args override (`[OPTIONS] CONTAINER`, which `--help`
/// prefixes with the command) spelled out in full for the SYNOPSIS.
fn full_usage(cmd: Command) -> Command {
    let bin = cmd.get_bin_name().unwrap_or(cmd.get_name()).to_owned();
    match cmd.get_overridden_usage().map(|u| u.to_string()) {
        Some(u) if !u.starts_with(&bin) => {
            let full: Vec<String> = u.lines().map(|l| format!("{bin} {}", l.trim())).collect();
            cmd.override_usage(full.join("\n"))
        }
        _ => cmd,
    }
}

/// Each `render_*_section` call starts with the same two-line preamble
/// (defining the Aq string); keep only the first.
fn once_preamble(page: &[u8]) -> String {
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let text = String::from_utf8_lossy(page);
    match text.split_once(PREAMBLE) {
        Some((head, rest)) => format!("{head}{PREAMBLE}{}", rest.replace(PREAMBLE, "")),
        None => text.into_owned(),
    }
}

/// An EXAMPLES section: each caption as a paragraph, its commands below it,
/// indented and unfilled.
fn render_examples(w: &mut dyn Write, examples: &[(&str, &str)]) -> io::Result<()> {
    if examples.is_empty() {
        return Ok(());
    }
    writeln!(w, ".SH EXAMPLES")?;
    for (caption, commands) in examples {
        writeln!(w, ".PP\n{}\n.PP\n.RS 4\n.nf", roff_line(caption))?;
        for line in commands.lines() {
            writeln!(w, "$ {}", roff_line(line))?;
        }
        writeln!(w, ".fi\n.RE")?;
    }
    Ok(())
}

/// One line of roff text: backslashes and hyphens escaped, and a leading
/// dot or quote kept from being read as a request.
fn roff_line(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with(['.', '\'']) {
        format!("\\&{s}")
    } else {
        s
    }
}

/// The files under `man/` and `completions/` of `dir`, relative to it.
fn listed(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for sub in ["man", "completions"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            files.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// `make docs` runs this with SKIFF_UPDATE_DOCS=1 to rewrite the
    /// checked-in files; otherwise it compares them byte for byte.
    #[test]
    fn man_pages_and_completions_are_fresh() {
        if std::env::var("SKIFF_UPDATE_DOCS").is_ok_and(|v| v == "1") {
            for old in listed(repo()) {
                std::fs::remove_file(repo().join(old)).unwrap();
            }
            let written = generate(repo()).unwrap();
            eprintln!("wrote {} files under man/ and completions/", written.len());
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let mut fresh = generate(tmp.path()).unwrap();
        fresh.sort();
        let have = listed(repo());
        let missing: Vec<_> = fresh.iter().filter(|f| !have.contains(f)).collect();
        let extra: Vec<_> = have.iter().filter(|f| !fresh.contains(f)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{STALE} (missing {missing:?}, not generated {extra:?})"
        );
        for rel in &fresh {
            let want = std::fs::read(tmp.path().join(rel)).unwrap();
            let have = std::fs::read(repo().join(rel)).unwrap();
            assert!(want == have, "{STALE} ({rel} differs)");
        }
    }

    #[test]
    fn every_command_has_a_page_with_an_example() {
        let tmp = tempfile::tempdir().unwrap();
        let files = generate(tmp.path()).unwrap();
        for rel in files.iter().filter(|f| f.starts_with("man/")) {
            let text = std::fs::read_to_string(tmp.path().join(rel)).unwrap();
            assert!(
                text.contains(".SH EXAMPLES\n"),
                "{rel} has no example: give its command a Page in src/cli/examples.rs"
            );
            assert!(text.contains(".SH DESCRIPTION\n"), "{rel}");
        }
        for must in ["man/skiff.1", "man/skiff-run.1", "man/skiff-container-ls.1"] {
            assert!(files.iter().any(|f| f == must), "{must} not generated");
        }
        let run = std::fs::read_to_string(tmp.path().join("man/skiff-container-run.1")).unwrap();
        assert!(
            run.contains("pulls it, and all image dependencies"),
            "{run}"
        );
        assert!(
            run.contains("$ skiff run \\-it \\-\\-rm alpine sh"),
            "{run}"
        );
    }

    #[test]
    fn every_page_in_the_table_is_a_command() {
        let root = super::super::command();
        for page in examples::PAGES {
            let mut cmd = &root;
            for word in page.path.split_whitespace() {
                cmd = cmd
                    .find_subcommand(word)
                    .unwrap_or_else(|| panic!("no command {:?}", page.path));
            }
        }
    }

    #[test]
    fn roff_escapes() {
        assert_eq!(roff_line(".x -a \\t"), "\\&.x \\-a \\et");
    }
}
