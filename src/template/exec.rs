//! Executor: a port of Go's `text/template/exec.go` over JSON values.
//!
//! Values are `Option<serde_json::Value>`: `None` is Go's invalid
//! `reflect.Value` (e.g. a missing map key, printed `<no value>`) and
//! `Some(Value::Null)` is a nil (printed `<nil>`).

use serde_json::Value;

use super::funcs::{self, Func, Param};
use super::gofmt::{fmt_v, quote, sorted_keys, type_name};
use super::parse::{
    line_of, Arg, Branch, Command, List, Node, NumberNode, Pipe, TemplateCall, VarNode,
};
use super::{Methods, Template, TemplateError, V};

/// Maximum nesting of `{{template}}` calls (Go allows 100000; a recursive
/// executor needs a bound that fits the thread stack).
const MAX_EXEC_DEPTH: usize = 100;

/// The node being executed, for error messages.
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Node(&'t Node),
    Pipe(&'t Pipe),
    Cmd(&'t Command),
    Arg(&'t Arg),
    Var(&'t VarNode),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::None => 0,
            At::Node(n) => match n {
                Node::Action { pos, .. } => *pos,
                Node::If(b) | Node::Range(b) | Node::With(b) => b.pipe.pos,
                Node::Template(t) => t.pos,
                Node::Text(_) | Node::Break | Node::Continue => 0,
            },
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => a.pos(),
            At::Var(v) => v.pos,
        }
    }

    fn context(&self) -> String {
        match self {
            At::None => String::new(),
            At::Node(n) => n.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Arg(a) => a.to_string(),
            At::Var(v) => v.to_string(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flow {
    Normal,
    Break,
    Continue,
}

type R<T> = Result<T, TemplateError>;

pub(crate) struct Exec<'t, 'm> {
    tmpl: &'t Template,
    header: bool,
    methods: Option<Methods<'m>>,
    pub out: String,
    vars: Vec<(String, V)>,
    at: At<'t>,
    name: String,
    depth: usize,
    /// docker inspect's `missingkey=error` fallback: a missing key of an
    /// object that looks like a struct (see [`map_like`]) is an error.
    pub strict_keys: bool,
    /// A list verb's Go type (`*formatter.ContainerContext`): a field the
    /// row (the top-level dot) lacks is Go's "can't evaluate field" error.
    pub root_type: Option<&'t str>,
    root: *const Value,
}

impl<'t, 'm> Exec<'t, 'm> {
    pub fn new(tmpl: &'t Template, header: bool, methods: Option<Methods<'m>>) -> Self {
        Exec {
            tmpl,
            header,
            methods,
            out: String::new(),
            vars: Vec::new(),
            at: At::None,
            name: String::new(),
            depth: 0,
            strict_keys: false,
            root_type: None,
            root: std::ptr::null(),
        }
    }

    /// Execute the main template; on error, `self.out` holds the partial
    /// output written so far (as Go's writer would).
    pub fn run(&mut self, data: &Value) -> R<()> {
        let dot: V = Some(data.clone());
        // Only compared, never read through.
        self.root = dot.as_ref().map_or(std::ptr::null(), |v| v as *const Value);
        self.vars = vec![("$".to_string(), dot.clone())];
        let root = match self.tmpl.trees.get("") {
            Some(r) => r,
            None => {
                return Err(self.errorf(format!("{} is an incomplete or empty template", quote(""))))
            }
        };
        self.walk_list(&dot, root)?;
        Ok(())
    }

    fn errorf(&self, msg: impl std::fmt::Display) -> TemplateError {
        match self.at {
            At::None => TemplateError(format!("template: {}: {}", self.name, msg)),
            at => {
                let pos = at.pos().min(self.tmpl.text.len());
                let text = &self.tmpl.text[..pos];
                let col = match text.rfind('\n') {
                    None => pos,
                    Some(i) => pos - (i + 1),
                };
                let line = line_of(&self.tmpl.text, pos);
                TemplateError(format!(
                    "template: :{}:{}: executing {} at <{}>: {}",
                    line,
                    col,
                    quote(&self.name),
                    at.context(),
                    msg
                ))
            }
        }
    }

    fn walk_list(&mut self, dot: &V, list: &'t List) -> R<Flow> {
        for n in &list.nodes {
            let f = self.walk(dot, n)?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &V, node: &'t Node) -> R<Flow> {
        self.at = At::Node(node);
        match node {
            Node::Action { pipe, .. } => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at = At::Node(node);
                    match &v {
                        None => self.out.push_str("<no value>"),
                        Some(v) => {
                            let s = fmt_v(v);
                            self.out.push_str(&s);
                        }
                    }
                }
            }
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
            Node::If(b) => return self.walk_if_or_with(false, dot, b),
            Node::With(b) => return self.walk_if_or_with(true, dot, b),
            Node::Range(b) => return self.walk_range(dot, node, b),
            Node::Template(t) => self.walk_template(dot, node, t)?,
            Node::Text(s) => self.out.push_str(s),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_or_with(&mut self, with: bool, dot: &V, b: &'t Branch) -> R<Flow> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let r = if funcs::truth(&val) {
            if with {
                self.walk_list(&val, &b.list)
            } else {
                self.walk_list(dot, &b.list)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e)
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        r
    }

    fn one_iteration(&mut self, b: &'t Branch, mark: usize, index: V, elem: V) -> R<Flow> {
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0].ident[0], index.clone())?;
                } else {
                    self.set_var(&decl[0].ident[0], elem.clone())?;
                }
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if b.pipe.is_assign {
                self.set_var(&decl[1].ident[0], elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let r = self.walk_list(&elem, &b.list);
        self.vars.truncate(mark);
        match r? {
            Flow::Continue => Ok(Flow::Normal),
            f => Ok(f),
        }
    }

    fn walk_range(&mut self, dot: &V, node: &'t Node, b: &'t Branch) -> R<Flow> {
        self.at = At::Node(node);
        let mark0 = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let mark = self.vars.len();
        let mut ran = false;
        match funcs::indirect(&val) {
            None => {}
            Some(Value::Array(a)) => {
                for (i, e) in a.iter().enumerate() {
                    ran = true;
                    let f = self.one_iteration(b, mark, Some(Value::from(i)), Some(e.clone()))?;
                    if f == Flow::Break {
                        break;
                    }
                }
            }
            Some(Value::Object(m)) => {
                for k in sorted_keys(m) {
                    ran = true;
                    let f = self.one_iteration(
                        b,
                        mark,
                        Some(Value::String(k.clone())),
                        Some(m[k].clone()),
                    )?;
                    if f == Flow::Break {
                        break;
                    }
                }
            }
            Some(v @ Value::Number(n)) if n.is_i64() || n.is_u64() => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.errorf(format!(
                        "can't use {} to iterate over more than one variable",
                        fmt_v(v)
                    )));
                }
                let count = n.as_i64().unwrap_or(i64::MAX);
                for i in 0..count.max(0) {
                    ran = true;
                    let f = self.one_iteration(b, mark, None, Some(Value::from(i)))?;
                    if f == Flow::Break {
                        break;
                    }
                }
            }
            Some(v) => {
                return Err(self.errorf(format!("range can't iterate over {}", fmt_v(v))));
            }
        }
        let mut flow = Flow::Normal;
        if !ran {
            if let Some(e) = &b.else_list {
                // A {{break}} here ends this range; {{continue}} goes to the
                // enclosing one.
                if self.walk_list(dot, e)? == Flow::Continue {
                    flow = Flow::Continue;
                }
            }
        }
        self.vars.truncate(mark0);
        Ok(flow)
    }

    fn walk_template(&mut self, dot: &V, node: &'t Node, t: &'t TemplateCall) -> R<()> {
        self.at = At::Node(node);
        let tree = match self.tmpl.trees.get(&t.name) {
            Some(tree) => tree,
            None => return Err(self.errorf(format!("template {} not defined", quote(&t.name)))),
        };
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(self.errorf(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            )));
        }
        let newdot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => None,
        };
        let vars = std::mem::replace(&mut self.vars, vec![("$".to_string(), newdot.clone())]);
        let name = std::mem::replace(&mut self.name, t.name.clone());
        let at = self.at;
        self.depth += 1;
        let r = self.walk_list(&newdot, tree);
        self.depth -= 1;
        if r.is_ok() {
            self.vars = vars;
            self.name = name;
            self.at = at;
        }
        r.map(|_| ())
    }

    fn set_var(&mut self, name: &str, v: V) -> R<()> {
        for slot in self.vars.iter_mut().rev() {
            if slot.0 == name {
                slot.1 = v;
                return Ok(());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, v: V) {
        let len = self.vars.len();
        if n <= len {
            self.vars[len - n].1 = v;
        }
    }

    fn var_value(&self, name: &str) -> R<V> {
        for (n, v) in self.vars.iter().rev() {
            if n == name {
                return Ok(v.clone());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, dot: &V, pipe: &'t Pipe) -> R<V> {
        self.at = At::Pipe(pipe);
        let mut value: Option<V> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value.take())?);
        }
        let value = value.flatten();
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&var.ident[0], value.clone())?;
            } else {
                self.vars.push((var.ident[0].clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<V>) -> R<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.errorf(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &V, cmd: &'t Command, fin: Option<V>) -> R<V> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { .. } => return self.eval_field_node(dot, first, &cmd.args, fin),
            Arg::Chain { .. } => return self.eval_chain_node(dot, first, &cmd.args, fin),
            Arg::Identifier { .. } => {
                return self.eval_function(dot, first, At::Cmd(cmd), &cmd.args, fin)
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable(v) => return self.eval_variable_node(dot, v, &cmd.args, fin),
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool { val, .. } => Ok(Some(Value::Bool(*val))),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Err(self.errorf("nil is not a command")),
            Arg::Number(n) => self.ideal_constant(first, n),
            Arg::Str { text, .. } => Ok(Some(Value::String(text.clone()))),
            _ => Err(self.errorf(format!(
                "can't evaluate command {}",
                quote(&first.to_string())
            ))),
        }
    }

    fn ideal_constant(&mut self, node: &'t Arg, n: &NumberNode) -> R<V> {
        self.at = At::Arg(node);
        if n.is_complex {
            return Err(self.errorf(format!("complex constant {} is not supported", n.text)));
        }
        if n.is_float
            && !n.is_hex_int()
            && !n.is_rune()
            && n.text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Some(Value::from(n.float)));
        }
        if n.is_int {
            return Ok(Some(Value::from(n.int)));
        }
        if n.is_uint {
            return Err(self.errorf(format!("{} overflows int", n.text)));
        }
        Ok(None)
    }

    fn eval_field_node(
        &mut self,
        dot: &V,
        field: &'t Arg,
        args: &'t [Arg],
        fin: Option<V>,
    ) -> R<V> {
        self.at = At::Arg(field);
        let ident = match field {
            Arg::Field { ident, .. } => ident,
            _ => return Ok(None),
        };
        self.eval_field_chain(dot, dot, At::Arg(field), ident, args, fin)
    }

    fn eval_chain_node(
        &mut self,
        dot: &V,
        chain: &'t Arg,
        args: &'t [Arg],
        fin: Option<V>,
    ) -> R<V> {
        self.at = At::Arg(chain);
        let (node, field) = match chain {
            Arg::Chain { node, field, .. } => (node, field),
            _ => return Ok(None),
        };
        if field.is_empty() {
            return Err(self.errorf("internal error: no fields in evalChainNode"));
        }
        if let Arg::Nil(_) = node.as_ref() {
            return Err(self.errorf(format!("indirection through explicit nil in {chain}")));
        }
        let pipe = self.eval_arg(dot, Param::Untyped, node)?;
        self.eval_field_chain(dot, &pipe, At::Arg(chain), field, args, fin)
    }

    fn eval_variable_node(
        &mut self,
        dot: &V,
        var: &'t VarNode,
        args: &'t [Arg],
        fin: Option<V>,
    ) -> R<V> {
        self.at = At::Var(var);
        let value = self.var_value(&var.ident[0])?;
        if var.ident.len() == 1 {
            if args.len() > 1 || fin.is_some() {
                return Err(self.errorf(format!("can't give argument to non-function {var}")));
            }
            return Ok(value);
        }
        self.eval_field_chain(dot, &value, At::Var(var), &var.ident[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &V,
        receiver: &V,
        node: At<'t>,
        ident: &[String],
        args: &'t [Arg],
        fin: Option<V>,
    ) -> R<V> {
        let n = ident.len();
        if n == 1 {
            return self.eval_field(dot, &ident[0], node, args, fin, receiver);
        }
        let mut recv = self.eval_field(dot, &ident[0], node, &[], None, receiver)?;
        for id in &ident[1..n - 1] {
            recv = self.eval_field(dot, id, node, &[], None, &recv)?;
        }
        self.eval_field(dot, &ident[n - 1], node, args, fin, &recv)
    }

    fn eval_field(
        &mut self,
        dot: &V,
        name: &str,
        node: At<'t>,
        args: &'t [Arg],
        fin: Option<V>,
        receiver: &V,
    ) -> R<V> {
        let recv = match receiver {
            None => return Ok(None),
            Some(v) => v,
        };
        let has_args = args.len() > 1 || fin.is_some();
        if let Some(methods) = self.methods {
            let is_key = matches!(recv, Value::Object(o) if o.contains_key(name));
            if has_args || !is_key {
                let mut argv = Vec::new();
                for a in args.iter().skip(1) {
                    argv.push(self.eval_arg(dot, Param::Any, a)?.unwrap_or(Value::Null));
                }
                if let Some(f) = &fin {
                    argv.push(f.clone().unwrap_or(Value::Null));
                }
                self.at = node;
                if let Some(res) = methods(name, recv, &argv) {
                    return match res {
                        Ok(v) => Ok(Some(v)),
                        Err(e) => Err(self.errorf(format!("error calling {name}: {e}"))),
                    };
                }
            }
        }
        match recv {
            Value::Object(o) => {
                if has_args {
                    return Err(self.errorf(format!("{name} is not a method but has arguments")));
                }
                match o.get(name) {
                    None if self.root_type.is_some() && std::ptr::eq(recv, self.root) => Err(self
                        .errorf(format!(
                            "can't evaluate field {name} in type {}",
                            self.root_type.unwrap_or_default()
                        ))),
                    None if self.strict_keys && !map_like(o) => {
                        Err(self.errorf(format!("map has no entry for key {}", quote(name))))
                    }
                    v => Ok(v.cloned()),
                }
            }
            // A field of nil gives no value (like a nil map).
            Value::Null => Ok(None),
            other => Err(self.errorf(format!(
                "can't evaluate field {name} in type {}",
                type_name(other)
            ))),
        }
    }

    fn eval_function(
        &mut self,
        dot: &V,
        ident: &'t Arg,
        cmd: At<'t>,
        args: &'t [Arg],
        fin: Option<V>,
    ) -> R<V> {
        self.at = At::Arg(ident);
        let name = match ident {
            Arg::Identifier { name, .. } => name.as_str(),
            _ => "",
        };
        let f = match funcs::lookup(name) {
            Some(f) => f,
            None => return Err(self.errorf(format!("{} is not a defined function", quote(name)))),
        };
        self.eval_call(dot, f, cmd, name, args, fin)
    }

    fn eval_call(
        &mut self,
        dot: &V,
        f: Func,
        node: At<'t>,
        name: &str,
        args: &'t [Arg],
        fin: Option<V>,
    ) -> R<V> {
        let args: &'t [Arg] = if args.is_empty() { args } else { &args[1..] };
        let sig = funcs::signature(f, self.header);
        let num_in = args.len() + usize::from(fin.is_some());
        self.check_arg_count(&sig, name, num_in, args.len())?;

        if f == Func::And || f == Func::Or {
            return self.eval_and_or(dot, f, args, fin);
        }

        let num_fixed = if sig.variadic.is_some() {
            sig.fixed.len()
        } else {
            args.len()
        };
        let mut argv: Vec<V> = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            argv.push(self.eval_arg(dot, sig.fixed[i], &args[i])?);
            i += 1;
        }
        if let Some(vt) = sig.variadic {
            while i < args.len() {
                argv.push(self.eval_arg(dot, vt, &args[i])?);
                i += 1;
            }
        }
        if let Some(fv) = fin {
            let t = match sig.variadic {
                Some(vt) => {
                    if num_in - 1 < sig.fixed.len() {
                        sig.fixed[num_in - 1]
                    } else {
                        vt
                    }
                }
                None => sig.fixed[sig.fixed.len() - 1],
            };
            argv.push(self.validate_type(fv, t)?);
        }
        let callee = match args.first() {
            Some(a) => a.to_string(),
            None => match argv.first() {
                Some(Some(Value::String(s))) => s.clone(),
                Some(Some(v)) => format!("<{} Value>", type_name(v)),
                _ => "<invalid Value>".to_string(),
            },
        };
        match funcs::apply(f, self.header, &argv, &callee) {
            Ok(v) => Ok(v),
            Err(e) => {
                self.at = node;
                Err(self.errorf(format!("error calling {name}: {e}")))
            }
        }
    }

    /// Go's "wrong number of args" check for a call.
    fn check_arg_count(&self, sig: &funcs::Sig, name: &str, num_in: usize, given: usize) -> R<()> {
        if sig.variadic.is_some() {
            if num_in < sig.fixed.len() {
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want at least {} got {}",
                    sig.fixed.len(),
                    given
                )));
            }
        } else if num_in != sig.fixed.len() {
            return Err(self.errorf(format!(
                "wrong number of args for {name}: want {} got {}",
                sig.fixed.len(),
                num_in
            )));
        }
        Ok(())
    }

    /// `and`/`or`: evaluated lazily, stopping at the deciding argument.
    fn eval_and_or(&mut self, dot: &V, f: Func, args: &'t [Arg], fin: Option<V>) -> R<V> {
        let mut v: V = None;
        for a in args {
            v = self.eval_arg(dot, Param::Value, a)?;
            if funcs::truth(&v) == (f == Func::Or) {
                return Ok(v);
            }
        }
        if let Some(fv) = fin {
            v = fv;
        }
        Ok(v)
    }

    fn validate_type(&self, v: V, ty: Param) -> R<V> {
        let bad = |v: &Value| {
            self.errorf(format!(
                "wrong type for value; expected {}; got {}",
                ty.name(),
                type_name(v)
            ))
        };
        let invalid = || self.errorf(format!("invalid value; expected {}", ty.name()));
        match ty {
            Param::Untyped | Param::Value => Ok(v),
            Param::Any => Ok(v),
            Param::Str => match v {
                Some(Value::String(_)) => Ok(v),
                None | Some(Value::Null) => Err(invalid()),
                Some(o) => Err(bad(&o)),
            },
            Param::Int => match v {
                Some(Value::Number(ref n)) if n.is_i64() => Ok(v),
                None | Some(Value::Null) => Err(invalid()),
                Some(o) => Err(bad(&o)),
            },
            Param::StrList => match v {
                Some(Value::Array(_)) => Ok(v),
                None | Some(Value::Null) => Ok(Some(Value::Null)),
                Some(o) => Err(bad(&o)),
            },
        }
    }

    fn eval_arg(&mut self, dot: &V, ty: Param, n: &'t Arg) -> R<V> {
        self.at = At::Arg(n);
        match n {
            Arg::Dot(_) => return self.validate_type(dot.clone(), ty),
            Arg::Nil(_) => {
                if ty.can_be_nil() {
                    return Ok(match ty {
                        Param::StrList => Some(Value::Null),
                        _ => None,
                    });
                }
                return Err(self.errorf(format!("cannot assign nil to {}", ty.name())));
            }
            Arg::Field { .. } => {
                let v = self.eval_field_node(dot, n, std::slice::from_ref(n), None)?;
                return self.validate_type(v, ty);
            }
            Arg::Variable(var) => {
                let v = self.eval_variable_node(dot, var, &[], None)?;
                return self.validate_type(v, ty);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, p)?;
                return self.validate_type(v, ty);
            }
            Arg::Identifier { .. } => {
                let v = self.eval_function(dot, n, At::Arg(n), &[], None)?;
                return self.validate_type(v, ty);
            }
            Arg::Chain { .. } => {
                let v = self.eval_chain_node(dot, n, &[], None)?;
                return self.validate_type(v, ty);
            }
            _ => {}
        }
        match ty {
            Param::Int => match n {
                Arg::Number(num) if num.is_int && !num.is_complex => Ok(Some(Value::from(num.int))),
                _ => Err(self.errorf(format!("expected integer; found {n}"))),
            },
            Param::Str => match n {
                Arg::Str { text, .. } => Ok(Some(Value::String(text.clone()))),
                _ => Err(self.errorf(format!("expected string; found {n}"))),
            },
            Param::Any | Param::Value => match n {
                Arg::Bool { val, .. } => Ok(Some(Value::Bool(*val))),
                Arg::Number(num) => self.ideal_constant(n, num),
                Arg::Str { text, .. } => Ok(Some(Value::String(text.clone()))),
                _ => Err(self.errorf(format!(
                    "can't handle assignment of {n} to empty interface argument"
                ))),
            },
            Param::StrList | Param::Untyped => {
                Err(self.errorf(format!("can't handle {n} for arg of type {}", ty.name())))
            }
        }
    }
}

/// Whether an object stands for a Go map rather than a struct: it is
/// empty, or its values are all of one kind (all strings: Labels; all
/// objects: Networks, ExposedPorts; all arrays: Ports). A struct whose
/// fields happen to be of one kind is taken for a map too.
fn map_like(o: &serde_json::Map<String, Value>) -> bool {
    fn kind(v: &Value) -> u8 {
        match v {
            Value::String(_) => 0,
            Value::Object(_) | Value::Null => 1,
            Value::Array(_) => 2,
            _ => 3,
        }
    }
    let mut kinds = o.values().map(kind);
    match kinds.next() {
        None => true,
        Some(first) => first != 3 && kinds.all(|k| k == first),
    }
}
