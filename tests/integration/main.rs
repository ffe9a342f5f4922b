//! Integration tests: the `dalgo` binary against a real PostgreSQL.

#[path = "../support/airbyte_stub.rs"]
mod airbyte_stub;
#[path = "../support/fault_proxy.rs"]
mod fault_proxy;
#[path = "../support/fixture_files.rs"]
mod fixture_files;
#[path = "../support/prefect_server.rs"]
mod prefect_server;
#[path = "../support/stall_proxy.rs"]
mod stall_proxy;

mod airbyte;
mod apply;
mod aws;
mod cli;
mod common;
mod dbt;
mod flags;
mod hardening;
mod import;
mod live;
mod migrate;
mod onboard;
mod ops;
mod org_user;
mod pipeline;
mod tenancy;
mod worker;
