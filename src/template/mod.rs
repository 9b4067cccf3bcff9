// STUB: replaced by the template helper's module.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError(pub String);
impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for TemplateError {}
pub struct Template;
type Methods<'a> = &'a dyn Fn(
    &str,
    &serde_json::Value,
    &[serde_json::Value],
) -> Option<Result<serde_json::Value, String>>;
impl Template {
    pub fn parse(_s: &str) -> Result<Template, TemplateError> {
        Ok(Template)
    }
    pub fn parse_header(_s: &str) -> Result<Template, TemplateError> {
        Ok(Template)
    }
    pub fn execute(&self, d: &serde_json::Value) -> Result<String, TemplateError> {
        Ok(d.to_string())
    }
    pub fn execute_with(
        &self,
        d: &serde_json::Value,
        _m: Methods,
    ) -> Result<String, TemplateError> {
        Ok(d.to_string())
    }
}
pub struct Formatter;
impl Formatter {
    pub fn new(_f: &str, _d: &str) -> Result<Formatter, TemplateError> {
        Ok(Formatter)
    }
    pub fn is_table(&self) -> bool {
        true
    }
    pub fn render(
        &self,
        _h: &serde_json::Value,
        rows: &[serde_json::Value],
    ) -> Result<String, TemplateError> {
        Ok(rows.iter().map(|r| r.to_string() + "\n").collect())
    }
}
