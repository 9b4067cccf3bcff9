//! What several verbs' flags share: docker's help texts for `--format`,
//! and the value names (docker's type names) that `--help` shows. The
//! boolean grammar every flag shares is applied to the whole tree by
//! `cli::grammar`, so the Args structs declare plain `bool`s.

/// `--format` of the verbs that print tables (ps, images, network ls, ...).
pub const TABLE_FORMAT_HELP: &str = "Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";

/// `--format` of the verbs that print objects (inspect, version, info).
pub const TEMPLATE_FORMAT_HELP: &str = "Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates";
