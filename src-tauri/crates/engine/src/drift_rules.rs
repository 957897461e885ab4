//! Ignore rules applied in comparisons: by type, by full-name glob, or by element path.
//!
//! Type and name rules drop a component's change outright. An element rule drops a change
//! only when the component is equal once the matching elements are removed from both sides,
//! so ignoring `apiVersion` hides a class whose only change is its API version but never one
//! whose body changed too. Element paths are written from below the file's root, `.`
//! separated, with the registry key of keyed entries in brackets when wanted:
//! `loginIpRanges`, `apiVersion`, `fieldPermissions[Account.Industry].editable` or
//! `fieldPermissions.editable`; `*` matches any run of characters (dots included), `?` one.

use orgfleet_metadata::registry;
use orgfleet_metadata::xml::{Element, Node};
use orgfleet_store::drift_rules::{self as rows, DriftRule, DriftRuleKind, NewDriftRule};

use crate::Engine;
use crate::drift_side::FileList;
use crate::error::{Error, Result};
use crate::snapshot_merge::is_metadata_xml;

impl Engine {
    /// The workspace's ignore rules, oldest first.
    pub fn drift_rules(&self) -> Result<Vec<DriftRule>> {
        Ok(rows::list(&self.store().conn())?)
    }

    /// Saves an ignore rule; every later comparison applies it.
    pub fn add_drift_rule(&self, rule: &NewDriftRule) -> Result<DriftRule> {
        rows::add(&self.store().conn(), rule).map_err(|e| match e {
            orgfleet_store::Error::InvalidDriftRule(m) => Error::InvalidInput(m),
            e => e.into(),
        })
    }

    /// Deletes ignore rule `id`.
    pub fn delete_drift_rule(&self, id: i64) -> Result<()> {
        if rows::delete(&self.store().conn(), id)? {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!(
                "there is no drift ignore rule {id}; list the rules to see their ids"
            )))
        }
    }
}

/// Glob match: `*` any run of characters, `?` exactly one; case-sensitive, whole string.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The rules in force for one comparison.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    rules: Vec<DriftRule>,
}

impl Rules {
    pub fn new(rules: Vec<DriftRule>) -> Self {
        Self { rules }
    }

    fn applies_to_type(rule: &DriftRule, type_name: &str) -> bool {
        rule.type_name
            .as_deref()
            .is_none_or(|t| glob_match(t, type_name))
    }

    /// The type or name rule that hides component (`type_name`, `full_name`), if any.
    pub fn component_rule(&self, type_name: &str, full_name: &str) -> Option<i64> {
        self.rules
            .iter()
            .find(|r| match r.kind {
                DriftRuleKind::Type => glob_match(&r.pattern, type_name),
                DriftRuleKind::Name => {
                    Self::applies_to_type(r, type_name) && glob_match(&r.pattern, full_name)
                }
                DriftRuleKind::Element => false,
            })
            .map(|r| r.id)
    }

    /// The element rules that apply to components of `type_name`.
    pub fn element_rules(&self, type_name: &str) -> Vec<&DriftRule> {
        self.rules
            .iter()
            .filter(|r| r.kind == DriftRuleKind::Element && Self::applies_to_type(r, type_name))
            .collect()
    }
}

/// Whether two versions of a component are equal once the elements matching `rules` are
/// removed from every metadata XML file (code and binary files must be byte-equal).
pub(crate) fn equal_without(
    type_name: &str,
    left: &FileList,
    right: &FileList,
    rules: &[&DriftRule],
) -> bool {
    if rules.is_empty() || left.len() != right.len() {
        return false;
    }
    left.iter().zip(right).all(|((lp, lb), (rp, rb))| {
        if lp != rp {
            return false;
        }
        if lb == rb {
            return true;
        }
        if !is_metadata_xml(type_name, lp) {
            return false;
        }
        match (Element::parse_bytes(lb, lp), Element::parse_bytes(rb, rp)) {
            (Ok(l), Ok(r)) => {
                strip_element(type_name, l, rules).canonical()
                    == strip_element(type_name, r, rules).canonical()
            }
            _ => false,
        }
    })
}

/// `root` without the descendants whose path matches one of `rules`.
pub(crate) fn strip_element(type_name: &str, mut root: Element, rules: &[&DriftRule]) -> Element {
    strip(type_name, &mut root, "", "", "", rules);
    root
}

fn strip(
    type_name: &str,
    el: &mut Element,
    plain: &str,
    keyed: &str,
    registry_path: &str,
    rules: &[&DriftRule],
) {
    let ty = registry::by_name(type_name);
    el.children.retain_mut(|node| {
        let Node::Element(child) = node else {
            return true;
        };
        let join = |base: &str, seg: &str, sep: &str| {
            if base.is_empty() {
                seg.to_owned()
            } else {
                format!("{base}{sep}{seg}")
            }
        };
        let child_registry = join(registry_path, &child.name, "/");
        let key = ty
            .and_then(|t| t.collection(&child_registry))
            .filter(|c| !c.key.is_empty())
            .map(|c| {
                c.key
                    .iter()
                    .map(|k| child.child_text(k).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(",")
            });
        let child_plain = join(plain, &child.name, ".");
        let child_keyed = match &key {
            Some(k) => join(keyed, &format!("{}[{k}]", child.name), "."),
            None => join(keyed, &child.name, "."),
        };
        if rules
            .iter()
            .any(|r| glob_match(&r.pattern, &child_plain) || glob_match(&r.pattern, &child_keyed))
        {
            return false;
        }
        strip(
            type_name,
            child,
            &child_plain,
            &child_keyed,
            &child_registry,
            rules,
        );
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_strings() {
        assert!(glob_match("ns__*", "ns__Thing__c"));
        assert!(!glob_match("ns__*", "Account.ns__Thing__c"));
        assert!(glob_match("*.apiVersion", "a.b.apiVersion"));
        assert!(glob_match("Pro?ile", "Profile"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("Profile", "Profiles"));
        assert!(glob_match("*Title*", "Property__c.Title__c"));
    }

    fn rule(pattern: &str) -> DriftRule {
        DriftRule {
            id: 1,
            kind: DriftRuleKind::Element,
            type_name: None,
            pattern: pattern.into(),
            note: String::new(),
            created_at: 0,
        }
    }

    #[test]
    fn element_rules_strip_plain_and_keyed_paths() {
        let ns = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";
        let a = format!(
            "<Profile {ns}><fieldPermissions><editable>true</editable><field>A.x</field></fieldPermissions>\
             <loginIpRanges><startAddress>1.1.1.1</startAddress></loginIpRanges></Profile>"
        );
        let b = format!(
            "<Profile {ns}><fieldPermissions><editable>false</editable><field>A.x</field></fieldPermissions></Profile>"
        );
        let path = "profiles/P.profile".to_owned();
        let left = vec![(path.clone(), a.into_bytes())];
        let right = vec![(path, b.into_bytes())];
        let ip = rule("loginIpRanges");
        assert!(!equal_without("Profile", &left, &right, &[&ip]));
        let keyed = rule("fieldPermissions[A.x].editable");
        assert!(equal_without("Profile", &left, &right, &[&ip, &keyed]));
        let plain = rule("fieldPermissions.editable");
        assert!(equal_without("Profile", &left, &right, &[&ip, &plain]));
        let other = rule("fieldPermissions[B.y].editable");
        assert!(!equal_without("Profile", &left, &right, &[&ip, &other]));
    }
}
