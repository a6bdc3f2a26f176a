//! The request a route gets and the answer it gives, with Salesforce's error array: the
//! vocabulary every route shares, below all of them.

use serde_json::{Value, json};

pub(crate) struct ApiRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub bearer: Option<&'a str>,
    pub body: &'a [u8],
}

#[derive(Clone, Debug)]
pub(crate) struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

const JSON: &str = "application/json;charset=UTF-8";

impl ApiResponse {
    pub fn json(status: u16, v: &Value) -> ApiResponse {
        ApiResponse {
            status,
            headers: vec![("Content-Type".into(), JSON.into())],
            body: serde_json::to_vec(v).unwrap_or_default(),
        }
    }

    pub fn no_content() -> ApiResponse {
        ApiResponse {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub(crate) fn body_json(&self) -> Value {
        if self.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&self.body).unwrap_or(Value::Null)
        }
    }
}

/// A Salesforce error array: `[{"message","errorCode","fields"}]`.
pub(crate) fn sf_error(status: u16, code: &str, message: &str, fields: &[&str]) -> ApiResponse {
    ApiResponse::json(
        status,
        &json!([{"message": message, "errorCode": code, "fields": fields}]),
    )
}

pub(crate) fn not_found() -> ApiResponse {
    sf_error(
        404,
        "NOT_FOUND",
        "The requested resource does not exist",
        &[],
    )
}

pub(crate) fn invalid_session() -> ApiResponse {
    let mut r = sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid", &[]);
    r.headers.push(("WWW-Authenticate".into(), "Token".into()));
    r
}
