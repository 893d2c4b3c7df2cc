//! Request parameters as received, with RFC 6749 §3.1/§3.2's rule that a parameter
//! must not appear more than once.

/// Parameters by name. Built only through [`Params::from_pairs`], which refuses
/// duplicates and empty names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamsError {
    /// RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
    Duplicate(String),
}

impl Params {
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ParamsError> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs {
            if out.iter().any(|(ek, _)| *ek == k) {
                return Err(ParamsError::Duplicate(k));
            }
            out.push((k, v));
        }
        Ok(Self(out))
    }

    /// The value of `name`. RFC 6749 §3.1: parameters sent without a value are
    /// treated as omitted.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_parameter_is_refused() {
        let e =
            Params::from_pairs([("a".into(), "1".into()), ("a".into(), "2".into())]).unwrap_err();
        assert_eq!(e, ParamsError::Duplicate("a".into()));
    }

    #[test]
    fn empty_value_counts_as_omitted() {
        let p = Params::from_pairs([("scope".into(), String::new())]).unwrap();
        assert_eq!(p.get("scope"), None);
    }
}
