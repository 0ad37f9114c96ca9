//! The REST API's OpenAPI document, served at `/api/v1/openapi.json` (API.md).
//!
//! Built from core's operation catalog, so every route, its permission and its body schema come
//! from the one list the router and the tests also follow; the schemas come from the types the
//! handlers read and write (utoipa derives). A snapshot test keeps the document honest.

use portcullis_core::api_catalog::{Operation, OPERATIONS};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref};
use utoipa::openapi::{RefOr, Required, ResponseBuilder, Schema};

/// What an operation answers with on success, by operation id.
fn answer(id: &str) -> Option<&'static str> {
    Some(match id {
        "getAccount" | "renameAgencyAccount" => "AccountView",
        "listCampaigns" | "createCampaign" | "updateCampaign" | "createAgencyCampaign" => {
            "Campaign"
        }
        "createChildAccount" => "CreatedAccount",
        "listContent" | "createContent" => "Content",
        "listFeeds" | "createFeed" => "Feed",
        "getAnalytics" => "Analytics",
        "listDefaultCreatives" => "Creative",
        "getAgency" => "Agency",
        "listAgencyAccounts" | "createAgencyAccount" => "Account",
        "listBoards" | "updateBoard" | "setBoardImage" => "Board",
        "listAgencyCampaigns" => "AgencyCampaign",
        "decideAd" => "Reviewed",
        "pullCampaigns" => "Pull",
        "publishStats" => "BoardDay",
        "getAgencyStats" => "AgencyStats",
        "listLightningDevices" => "Device",
        "health" => "Health",
        _ => return None,
    })
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// `{"items": [T], "next": cursor-or-null}`.
fn page_of(name: &str) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .property("items", ArrayBuilder::new().items(schema_ref(name)))
            .required("items")
            .property(
                "next",
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                        Type::String,
                        Type::Null,
                    ]))
                    .description(Some(
                        "the cursor of the next page, as `after`; null on the last page",
                    )),
            )
            .required("next")
            .build(),
    ))
}

fn json(schema: RefOr<Schema>) -> utoipa::openapi::content::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

fn query(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn operation(o: &Operation) -> utoipa::openapi::path::Operation {
    let mut description = String::new();
    if let Some(p) = o.permission {
        description = format!("Needs `{}`: {}.", p.code(), p.description());
    }
    let mut b = OperationBuilder::new()
        .operation_id(Some(o.id))
        .summary(Some(o.summary))
        .description(Some(description));
    for segment in o.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            b = b.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
    }
    if o.list {
        b = b
            .parameter(query("limit", "items per page, 1 to 200 (default 50)"))
            .parameter(query("after", "the `next` cursor of the previous page"));
    }
    if o.window {
        b = b
            .parameter(query(
                "from",
                "first day, YYYY-MM-DD (default: 29 days before `to`)",
            ))
            .parameter(query("to", "last day, YYYY-MM-DD (default: today, UTC)"));
    }
    if let Some(body) = o.body {
        b = b.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("application/json", json(schema_ref(body)))
                .build(),
        ));
    }
    let success = if o.method == "POST"
        && o.id != "decideAd"
        && o.id != "publishStats"
        && o.id != "reportJobStatus"
    {
        "201"
    } else {
        "200"
    };
    let mut ok = ResponseBuilder::new().description("success");
    if let Some(name) = answer(o.id) {
        let schema = if o.list {
            page_of(name)
        } else {
            schema_ref(name)
        };
        ok = ok.content("application/json", json(schema));
    }
    b = b.response(success, ok.build());
    let error = |what: &str| {
        ResponseBuilder::new()
            .description(what)
            .content("application/json", json(schema_ref("Error")))
            .build()
    };
    if o.permission.is_some() || o.id == "me" {
        b = b
            .response("401", error("no token, a wrong secret or a revoked token"))
            .response("404", error("not found, or where the app is not installed"))
            .response("429", error("over the token's rate limit; see Retry-After"))
            .security(SecurityRequirement::new("botToken", Vec::<String>::new()));
    }
    if o.permission.is_some() {
        b = b.response(
            "403",
            error("the install does not grant the permission (named in missing_permission)"),
        );
    }
    if o.id == "health" {
        b = b.response(
            "503",
            error("the database does not answer (unavailable), or lacks migrations this server embeds (migrations_behind)"),
        );
    }
    if o.body.is_some() || o.list || o.window {
        b = b.response("422", error("a field breaks a rule (named in field)"));
    }
    b.build()
}

fn method(m: &str) -> HttpMethod {
    match m {
        "POST" => HttpMethod::Post,
        "PATCH" => HttpMethod::Patch,
        "PUT" => HttpMethod::Put,
        "DELETE" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

/// The error envelope of API.md.
fn error_schema() -> Schema {
    let text = || ObjectBuilder::new().schema_type(Type::String);
    let nullable = || {
        ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
    };
    Schema::Object(
        ObjectBuilder::new()
            .property(
                "error",
                ObjectBuilder::new()
                    .property("code", text())
                    .required("code")
                    .property("message", text())
                    .required("message")
                    .property("field", nullable())
                    .property("missing_permission", nullable()),
            )
            .required("error")
            .build(),
    )
}

/// `/health`'s answer when the replica may be sent traffic.
fn health_schema() -> Schema {
    let constant = |value: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some([value]))
    };
    Schema::Object(
        ObjectBuilder::new()
            .property("status", constant("ok"))
            .required("status")
            .property("database", constant("ok"))
            .required("database")
            .property("migrations", constant("current"))
            .required("migrations")
            .build(),
    )
}

/// The document.
pub fn document() -> OpenApi {
    let mut paths = Paths::new();
    for o in OPERATIONS {
        paths.add_path_operation(
            format!("/api/v1{}", o.path),
            vec![method(o.method)],
            operation(o),
        );
    }
    let components = ComponentsBuilder::new()
        .security_scheme(
            "botToken",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        )
        .schema("Error", error_schema())
        .schema("Health", health_schema())
        .schema_from::<portcullis_core::campaigns::NewCampaign>()
        .schema_from::<portcullis_core::campaigns::CampaignPatch>()
        .schema_from::<portcullis_core::campaigns::CampaignStatus>()
        .schema_from::<portcullis_core::campaigns::NewAccount>()
        .schema_from::<portcullis_core::campaigns::NewContent>()
        .schema_from::<portcullis_core::campaigns::ContentKind>()
        .schema_from::<portcullis_core::campaigns::NewFeed>()
        .schema_from::<portcullis_core::campaigns::FeedFormat>()
        .schema_from::<portcullis_core::campaigns::AnalyticsTotals>()
        .schema_from::<portcullis_core::boards::BoardPatch>()
        .schema_from::<portcullis_core::boards::BoardImage>()
        .schema_from::<portcullis_core::boards::NewAgencyCampaign>()
        .schema_from::<portcullis_core::boards::AdDecision>()
        .schema_from::<portcullis_core::boards::Approval>()
        .schema_from::<portcullis_core::boards::StatsReport>()
        .schema_from::<portcullis_core::boards::BoardPlaylist>()
        .schema_from::<crate::store::campaigns::Campaign>()
        .schema_from::<crate::store::campaigns::Content>()
        .schema_from::<crate::store::campaigns::Feed>()
        .schema_from::<crate::store::campaigns::Creative>()
        .schema_from::<crate::store::boards::Agency>()
        .schema_from::<crate::store::boards::Account>()
        .schema_from::<crate::store::boards::Board>()
        .schema_from::<crate::store::boards::PlacementView>()
        .schema_from::<crate::store::boards::AgencyCampaign>()
        .schema_from::<crate::store::boards::BoardDay>()
        .schema_from::<crate::store::boards::Device>()
        .schema_from::<crate::api::views::AccountView>()
        .schema_from::<crate::api::views::CreatedAccount>()
        .schema_from::<crate::api::views::Analytics>()
        .schema_from::<crate::api::views::AnalyticsDay>()
        .schema_from::<crate::api::views::Reviewed>()
        .schema_from::<crate::api::views::Pull>()
        .schema_from::<crate::api::views::AgencyStats>()
        .schema_from::<crate::api::jobs::StatusReport>()
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Portcullis REST API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Bot tokens call it with `Authorization: Bearer <token>:<secret>` (or Basic). \
                     Each operation names the permission it needs; a missing one answers 403 naming it.",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components))
        .build()
}
