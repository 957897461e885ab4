//! sfdx source-format projects → mdapi [`crate::mdapi::Package`] (in progress).
