//! Integration tests: the real app on a random port, against a fresh SQLite file and a fresh
//! PostgreSQL database, driven over HTTP as a browser and as an API script would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod anonymity;
mod api;
mod audit;
mod common;
mod comms;
mod editions;
mod errors;
mod history;
mod home;
mod hygiene;
mod listen;
mod mail;
mod metrics;
mod navigation;
mod once;
mod pages;
mod permissions;
mod promises;
mod qa_rules;
mod relationships;
mod requests;
mod reviews;
mod rotation;
mod smtp_sink;
mod software;
mod sso;
mod voice;
mod walkthrough;
