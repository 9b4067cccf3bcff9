use super::*;

fn one(text: &str) -> Instruction {
    let d = parse(text).unwrap();
    assert_eq!(d.instructions.len(), 1, "{d:?}");
    d.instructions.into_iter().next().unwrap()
}

#[test]
fn forms_flags_and_continuations() {
    let d = parse(
        "# syntax=docker/dockerfile:1\n# escape=\\\n# a comment\nfrom --platform=linux/amd64 busybox AS b\n\
         RUN echo a \\\n  # inside\n\n  && echo b\nCMD [\"sh\", \"-c\", \"x\"]\nCMD [not json\n\
         COPY --chown=1:2 --link a \"b c\" /d/\n",
    )
    .unwrap();
    assert_eq!(d.escape, '\\');
    let i = &d.instructions;
    assert_eq!(i.len(), 5);
    assert_eq!((i[0].line, i[0].keyword.as_str()), (4, "FROM"));
    assert_eq!(
        i[0].flags,
        [("platform".to_owned(), Some("linux/amd64".to_owned()))]
    );
    assert_eq!(i[0].args, Args::Text("busybox AS b".into()));
    assert_eq!(i[1].line, 5);
    assert_eq!(i[1].args, Args::Text("echo a   && echo b".into()));
    assert_eq!(
        i[2].args,
        Args::Json(vec!["sh".into(), "-c".into(), "x".into()])
    );
    assert_eq!(i[3].args, Args::Text("[not json".into()));
    assert_eq!(
        i[4].flags,
        [
            ("chown".to_owned(), Some("1:2".to_owned())),
            ("link".to_owned(), None)
        ]
    );
    assert_eq!(i[4].args, Args::Text("a \"b c\" /d/".into()));
}

#[test]
fn the_escape_directive_changes_continuations() {
    let d = parse("# escape=`\nFROM scratch\nRUN dir c:\\ `\n  && echo x\n").unwrap();
    assert_eq!(d.escape, '`');
    assert_eq!(
        d.instructions[1].args,
        Args::Text("dir c:\\   && echo x".into())
    );
    // After an instruction, a directive is a comment.
    let d = parse("FROM scratch\n# escape=`\nRUN a \\\n b\n").unwrap();
    assert_eq!(d.escape, '\\');
    assert_eq!(d.instructions[1].args, Args::Text("a  b".into()));
}

#[test]
fn heredocs_several_per_line_quoted_and_chomped() {
    let i = one(
        "RUN <<EOF1 cat > /x && 3<<'EOF2' sh && <<-\"E3\" cat\nhello $HOME\nEOF1\necho hi\nEOF2\n\t\tindented\n\tE3\n",
    );
    assert_eq!(i.heredocs.len(), 3);
    let h = &i.heredocs;
    assert_eq!(
        (h[0].name.as_str(), h[0].expand, h[0].fd),
        ("EOF1", true, None)
    );
    assert_eq!(h[0].body, "hello $HOME\n");
    assert_eq!(
        (h[1].name.as_str(), h[1].expand, h[1].fd),
        ("EOF2", false, Some(3))
    );
    assert_eq!(h[1].body, "echo hi\n");
    assert!(h[2].chomp && !h[2].expand);
    assert_eq!(h[2].content(), "indented\n");
    // What follows the heredocs is the next instruction.
    let d = parse("FROM scratch\nCOPY <<EOF /f\nFROM x\nEOF\nRUN true\n").unwrap();
    let k: Vec<&str> = d.instructions.iter().map(|i| i.keyword.as_str()).collect();
    assert_eq!(k, ["FROM", "COPY", "RUN"]);
    assert_eq!(d.instructions[1].heredocs[0].body, "FROM x\n");
    // Not in quotes, and not for other instructions.
    assert!(one("RUN echo '<<EOF'\n").heredocs.is_empty());
    assert!(one("ENV A=<<EOF\n").heredocs.is_empty());
}

#[test]
fn errors_name_the_line() {
    let e = parse("FROM scratch\n\nbogus x\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "dockerfile parse error on line 3: unknown instruction: bogus"
    );
    let e = parse("FROM scratch\nRUN <<EOF\nnever ends\n").unwrap_err();
    assert_eq!(e.line, 2, "the RUN line");
    assert!(e.message.contains("unterminated heredoc EOF"), "{e}");
    let e = parse("FROM scratch\nRUN\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "dockerfile parse error on line 2: RUN requires at least one argument"
    );
    let e = parse("# escape=x\nFROM scratch\n").unwrap_err();
    assert_eq!(e.line, 1);
}

#[test]
fn crlf_and_bom() {
    let d = parse("\u{feff}FROM a\r\nRUN b \\\r\n c\r\n").unwrap();
    assert_eq!(d.instructions[1].args, Args::Text("b  c".into()));
}
