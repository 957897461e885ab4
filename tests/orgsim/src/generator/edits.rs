//! Edit primitives on an org's metadata, done the way an admin's change lands in the files:
//! adding a field also puts it on the object's layout and grants Admin FLS; removing a field
//! also removes it from layouts, list views, record types, profiles and permission sets.
//! Every touched component gets `last_modified_by`/`last_modified_date` of the editor.
//!
//! Parsed files are cached for the editor's lifetime and written back once when it is dropped
//! (or [`Editor::flush`]ed), so many edits on a 50,000-component org do not re-parse and
//! re-write its multi-megabyte profiles each time.

use std::collections::{BTreeMap, BTreeSet};

use super::xml::El;
use super::{fnv, id_prefix};
use crate::ids::make_id;
use crate::model::{Component, ComponentKey, User};

pub type Metadata = BTreeMap<ComponentKey, Component>;

/// One editing session by one user at one time.
pub struct Editor<'a> {
    pub md: &'a mut Metadata,
    pub by: &'a User,
    pub at: &'a str,
    cache: BTreeMap<ComponentKey, El>,
    dirty: BTreeSet<ComponentKey>,
}

impl Drop for Editor<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Path of the component's main file (the XML file, or the `.cls`/`.trigger` body).
pub fn main_path(c: &Component) -> Option<&String> {
    c.files
        .keys()
        .find(|p| !p.ends_with("-meta.xml"))
        .or_else(|| c.files.keys().next())
}

pub fn key(ty: &str, name: &str) -> ComponentKey {
    ComponentKey::new(ty, name)
}

impl<'a> Editor<'a> {
    pub fn new(md: &'a mut Metadata, by: &'a User, at: &'a str) -> Self {
        Self {
            md,
            by,
            at,
            cache: BTreeMap::new(),
            dirty: BTreeSet::new(),
        }
    }

    /// The parsed main file of `k`, parsed at most once per editor.
    pub fn cached(&mut self, k: &ComponentKey) -> Option<&mut El> {
        if !self.cache.contains_key(k) {
            let c = self.md.get(k)?;
            let el = El::parse(c.files.get(main_path(c)?)?).ok()?;
            self.cache.insert(k.clone(), el);
        }
        self.cache.get_mut(k)
    }

    /// A copy of the parsed main file of `k`.
    pub fn load(&mut self, k: &ComponentKey) -> Option<El> {
        self.cached(k).cloned()
    }

    /// Whether the main file of `k` contains `needle` (a cheap filter before parsing).
    fn mentions(&self, k: &ComponentKey, needle: &str) -> bool {
        if let Some(el) = self.cache.get(k) {
            return el_mentions(el, needle);
        }
        let Some(c) = self.md.get(k) else {
            return false;
        };
        main_path(c)
            .and_then(|p| c.files.get(p))
            .is_some_and(|b| String::from_utf8_lossy(b).contains(needle))
    }

    /// Records that `k`'s cached tree changed: it is written back on flush.
    pub fn mark(&mut self, k: &ComponentKey) {
        self.dirty.insert(k.clone());
        self.touch(k);
    }

    /// Writes changed trees back into their files.
    pub fn flush(&mut self) {
        for k in std::mem::take(&mut self.dirty) {
            let (Some(el), Some(c)) = (self.cache.get(&k), self.md.get_mut(&k)) else {
                continue;
            };
            if let Some(path) = main_path(c).cloned() {
                c.files.insert(path, el.to_bytes());
            }
        }
    }

    pub fn text(&self, k: &ComponentKey) -> Option<String> {
        let c = self.md.get(k)?;
        Some(String::from_utf8_lossy(c.files.get(main_path(c)?)?).into_owned())
    }

    pub fn touch(&mut self, k: &ComponentKey) {
        if let Some(c) = self.md.get_mut(k) {
            c.last_modified_by_id = self.by.id.clone();
            c.last_modified_by_name = self.by.name.clone();
            c.last_modified_date = self.at.to_owned();
        }
    }

    /// Replaces the main file of a non-XML component (an Apex body).
    pub fn store_bytes(&mut self, k: &ComponentKey, bytes: Vec<u8>) {
        self.cache.remove(k);
        let path = self.md.get(k).and_then(main_path).cloned();
        if let (Some(path), Some(c)) = (path, self.md.get_mut(k))
            && c.files.get(&path) != Some(&bytes)
        {
            c.files.insert(path, bytes);
            self.touch(k);
        }
    }

    /// Replaces the tree of `k` (marking it changed when it differs).
    pub fn store(&mut self, k: &ComponentKey, el: &El) {
        if self.cached(k).is_some_and(|old| old == el) {
            return;
        }
        self.cache.insert(k.clone(), el.clone());
        self.mark(k);
    }

    /// Creates a new top-level component authored by the editor.
    pub fn create(&mut self, k: ComponentKey, files: Vec<(String, Vec<u8>)>) {
        let h = fnv(&[
            k.type_name.as_bytes(),
            k.full_name.as_bytes(),
            self.at.as_bytes(),
        ]);
        let c = Component {
            id: make_id(
                id_prefix(&k.type_name),
                9_000_000_000_000_000 + h % 1_000_000_000_000_000,
            ),
            files: files.into_iter().collect(),
            created_by_id: self.by.id.clone(),
            created_by_name: self.by.name.clone(),
            created_date: self.at.to_owned(),
            last_modified_by_id: self.by.id.clone(),
            last_modified_by_name: self.by.name.clone(),
            last_modified_date: self.at.to_owned(),
            namespace_prefix: None,
        };
        self.md.insert(k, c);
    }

    /// Keys of a type, in order.
    pub fn keys_of(&self, ty: &str) -> Vec<ComponentKey> {
        self.md
            .keys()
            .filter(|k| k.type_name == ty)
            .cloned()
            .collect()
    }

    /// Layouts of an object (`Obj-Layout Name`).
    pub fn layouts_of(&self, obj: &str) -> Vec<ComponentKey> {
        let prefix = format!("{obj}-");
        self.md
            .keys()
            .filter(|k| k.type_name == "Layout" && k.full_name.starts_with(&prefix))
            .cloned()
            .collect()
    }

    /// Adds a `<fields>` element to an object, its first layout and the Admin profile's FLS.
    pub fn add_field(&mut self, obj: &str, field: El) -> bool {
        let ok = key("CustomObject", obj);
        let Some(mut o) = self.load(&ok) else {
            return false;
        };
        let api = field.child_text("fullName").to_owned();
        if api.is_empty() || o.all("fields").any(|f| f.child_text("fullName") == api) {
            return false;
        }
        o.insert_sorted(field, "fullName");
        self.store(&ok, &o);
        if let Some(lk) = self.layouts_of(obj).into_iter().next() {
            self.add_layout_field(&lk, &api);
        }
        self.set_field_permission(
            &key("Profile", "Admin"),
            &format!("{obj}.{api}"),
            true,
            true,
        );
        true
    }

    /// Appends a field to the first column of a layout's first section.
    pub fn add_layout_field(&mut self, lk: &ComponentKey, api: &str) -> bool {
        let Some(mut l) = self.load(lk) else {
            return false;
        };
        let Some(section) = l.child_mut("layoutSections") else {
            return false;
        };
        let Some(col) = section
            .children
            .iter_mut()
            .find(|c| c.name == "layoutColumns")
        else {
            return false;
        };
        col.children.push(
            El::new("layoutItems")
                .with(El::leaf("behavior", "Edit"))
                .with(El::leaf("field", api)),
        );
        self.store(lk, &l);
        true
    }

    /// Removes a field and every reference a deletion removes with it.
    pub fn remove_field(&mut self, obj: &str, api: &str) -> bool {
        let ok = key("CustomObject", obj);
        let Some(mut o) = self.load(&ok) else {
            return false;
        };
        let before = o.children.len();
        o.children
            .retain(|c| !(c.name == "fields" && c.child_text("fullName") == api));
        if o.children.len() == before {
            return false;
        }
        for c in o.children.iter_mut() {
            match c.name.as_str() {
                "listViews" => c
                    .children
                    .retain(|x| !(x.name == "columns" && x.text == api)),
                "recordTypes" => c
                    .children
                    .retain(|x| !(x.name == "picklistValues" && x.child_text("picklist") == api)),
                "searchLayouts" => c.children.retain(|x| x.text != api),
                _ => {}
            }
        }
        self.store(&ok, &o);
        for lk in self.layouts_of(obj) {
            let Some(mut l) = self.load(&lk) else {
                continue;
            };
            for s in l.children.iter_mut().filter(|s| s.name == "layoutSections") {
                for col in s.children.iter_mut().filter(|c| c.name == "layoutColumns") {
                    col.children.retain(|i| i.child_text("field") != api);
                }
            }
            self.store(&lk, &l);
        }
        let full = format!("{obj}.{api}");
        self.remove_from_related_lists(obj, api);
        self.retain_in_security(&full, |e| {
            !(e.name == "fieldPermissions" && e.child_text("field") == full)
        });
        true
    }

    /// Drops the related list a lookup field fed and the field's column in other related
    /// lists of its object, on every layout.
    fn remove_from_related_lists(&mut self, obj: &str, api: &str) {
        let rel = format!("{obj}.{api}");
        let prefix = format!("{obj}.");
        for lk in self.keys_of("Layout") {
            if !self.mentions(&lk, api) {
                continue;
            }
            let Some(l) = self.cached(&lk) else { continue };
            let before = l.children.len();
            l.children
                .retain(|c| !(c.name == "relatedLists" && c.child_text("relatedList") == rel));
            let mut changed = l.children.len() != before;
            for c in l.children.iter_mut().filter(|c| {
                c.name == "relatedLists" && c.child_text("relatedList").starts_with(&prefix)
            }) {
                let n = c.children.len();
                c.children
                    .retain(|x| !(x.name == "fields" && x.text == api));
                changed |= c.children.len() != n;
            }
            if changed {
                self.mark(&lk);
            }
        }
    }

    /// Keeps only the entries `keep` accepts in every profile and permission set that
    /// mentions `needle` (the referenced name).
    pub fn retain_in_security(&mut self, needle: &str, keep: impl Fn(&El) -> bool) {
        let keys: Vec<ComponentKey> = self
            .md
            .keys()
            .filter(|k| k.type_name == "Profile" || k.type_name == "PermissionSet")
            .cloned()
            .collect();
        for k in keys {
            if !self.mentions(&k, needle) {
                continue;
            }
            let Some(p) = self.cached(&k) else { continue };
            let before = p.children.len();
            p.children.retain(&keep);
            if p.children.len() != before {
                self.mark(&k);
            }
        }
    }

    /// Sets FLS of `field` (`Obj.Field__c`) in a profile or permission set, adding the entry.
    pub fn set_field_permission(
        &mut self,
        pk: &ComponentKey,
        field: &str,
        editable: bool,
        readable: bool,
    ) -> bool {
        let b = |v: bool| if v { "true" } else { "false" };
        let Some(p) = self.cached(pk) else {
            return false;
        };
        let existing = p
            .children
            .iter_mut()
            .find(|c| c.name == "fieldPermissions" && c.child_text("field") == field);
        match existing {
            Some(fp) => {
                let same = fp.child_text("editable") == b(editable)
                    && fp.child_text("readable") == b(readable);
                if same {
                    return true;
                }
                if let Some(e) = fp.child_mut("editable") {
                    e.text = b(editable).into();
                }
                if let Some(r) = fp.child_mut("readable") {
                    r.text = b(readable).into();
                }
            }
            None => p.insert_sorted(
                El::new("fieldPermissions")
                    .with(El::leaf("editable", b(editable)))
                    .with(El::leaf("field", field))
                    .with(El::leaf("readable", b(readable))),
                "field",
            ),
        }
        self.mark(pk);
        true
    }

    /// Adds values to a picklist: a custom field's value set, or for standard picklists
    /// (Industry) the StandardValueSet of that name.
    pub fn add_picklist_values(&mut self, obj: &str, field: &str, values: &[&str]) -> bool {
        if !field.ends_with("__c") {
            let sk = key("StandardValueSet", field);
            let Some(mut s) = self.load(&sk) else {
                return false;
            };
            for v in values {
                if s.all("standardValue")
                    .any(|x| x.child_text("fullName") == *v)
                {
                    continue;
                }
                s.children.push(
                    El::new("standardValue")
                        .with(El::leaf("fullName", v))
                        .with(El::leaf("default", "false"))
                        .with(El::leaf("label", v)),
                );
            }
            self.store(&sk, &s);
            return true;
        }
        let ok = key("CustomObject", obj);
        let Some(mut o) = self.load(&ok) else {
            return false;
        };
        let Some(def) = o
            .children
            .iter_mut()
            .find(|c| c.name == "fields" && c.child_text("fullName") == field)
            .and_then(|f| f.child_mut("valueSet"))
            .and_then(|v| v.child_mut("valueSetDefinition"))
        else {
            return false;
        };
        for v in values {
            if def.all("value").any(|x| x.child_text("fullName") == *v) {
                continue;
            }
            def.children.push(
                El::new("value")
                    .with(El::leaf("fullName", v))
                    .with(El::leaf("default", "false"))
                    .with(El::leaf("label", v)),
            );
        }
        self.store(&ok, &o);
        true
    }

    /// Adds an Apex class (body + meta) and grants it in the Admin profile.
    pub fn add_class(&mut self, name: &str, body: String) -> bool {
        let k = key("ApexClass", name);
        if self.md.contains_key(&k) {
            return false;
        }
        self.create(
            k,
            vec![
                (format!("classes/{name}.cls"), body.into_bytes()),
                (
                    format!("classes/{name}.cls-meta.xml"),
                    super::apex::meta("ApexClass"),
                ),
            ],
        );
        let ak = key("Profile", "Admin");
        if let Some(p) = self.cached(&ak) {
            p.insert_sorted(
                El::new("classAccesses")
                    .with(El::leaf("apexClass", name))
                    .with(El::leaf("enabled", "true")),
                "apexClass",
            );
            self.mark(&ak);
        }
        true
    }

    pub fn remove_class(&mut self, name: &str) -> bool {
        let k = key("ApexClass", name);
        if self.md.remove(&k).is_none() {
            return false;
        }
        self.cache.remove(&k);
        self.dirty.remove(&k);
        self.retain_in_security(name, |e| {
            !(e.name == "classAccesses" && e.child_text("apexClass") == name)
        });
        true
    }

    /// Swaps a layout's first two sections.
    pub fn reorder_layout(&mut self, lk: &ComponentKey) -> bool {
        let Some(mut l) = self.load(lk) else {
            return false;
        };
        let idx: Vec<usize> = l
            .children
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name == "layoutSections")
            .map(|(i, _)| i)
            .collect();
        if idx.len() < 2 {
            return false;
        }
        l.children.swap(idx[0], idx[1]);
        self.store(lk, &l);
        true
    }

    /// Removes a child element (`validationRules`, `listViews`, `labels`) by fullName.
    pub fn remove_child(&mut self, k: &ComponentKey, elem: &str, name: &str) -> bool {
        let Some(mut e) = self.load(k) else {
            return false;
        };
        let before = e.children.len();
        e.children
            .retain(|c| !(c.name == elem && c.child_text("fullName") == name));
        if e.children.len() == before {
            return false;
        }
        self.store(k, &e);
        true
    }

    /// Adds a child element in sorted position unless one with its fullName exists.
    pub fn add_child(&mut self, k: &ComponentKey, child: El) -> bool {
        let Some(mut e) = self.load(k) else {
            return false;
        };
        let name = child.child_text("fullName").to_owned();
        if e.children
            .iter()
            .any(|c| c.name == child.name && c.child_text("fullName") == name)
        {
            return false;
        }
        e.insert_sorted(child, "fullName");
        self.store(k, &e);
        true
    }
}

/// Whether any text in the tree contains `needle`.
fn el_mentions(el: &El, needle: &str) -> bool {
    el.text.contains(needle) || el.children.iter().any(|c| el_mentions(c, needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{GenSpec, check_integrity, generate};

    fn user() -> User {
        User {
            id: crate::ids::make_id("005", 1),
            username: "u@x.test".into(),
            name: "Editor Test".into(),
            email: "u@x.test".into(),
            password: String::new(),
            profile_name: "System Administrator".into(),
            is_active: true,
        }
    }

    /// Deleting a lookup removes the related list it fed on the parent's layout, like
    /// Salesforce does, and leaves no dangling reference anywhere.
    #[test]
    fn removing_a_lookup_cleans_parent_related_lists() {
        let mut md = generate(&GenSpec::new(21, 1_000));
        let layout = key("Layout", "Account-Account Layout");
        let rel = {
            let l = El::parse(md[&layout].files.values().next().unwrap()).unwrap();
            l.all("relatedLists")
                .next()
                .unwrap()
                .child_text("relatedList")
                .to_owned()
        };
        let (child, field) = rel.split_once('.').unwrap();
        let by = user();
        let mut ed = Editor::new(&mut md, &by, "2026-11-21T10:00:00.000Z");
        assert!(ed.remove_field(child, field));
        assert!(!ed.remove_field(child, field), "already gone");
        drop(ed);
        let text = String::from_utf8_lossy(md[&layout].files.values().next().unwrap()).into_owned();
        assert!(!text.contains(&format!("<relatedList>{rel}</relatedList>")));
        assert_eq!(md[&layout].last_modified_by_name, "Editor Test");
        // Apex still names the field, so integrity reports exactly those uses.
        let problems = check_integrity(&md);
        assert!(
            problems
                .iter()
                .all(|p| p.contains("uses unknown") && p.contains(field)),
            "{problems:#?}"
        );
    }
}
