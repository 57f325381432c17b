//! Validates Microsoft Graph v1.0 requests and responses against Microsoft's CSDL metadata extract.
//!
//! The compact rendering `msgraph/v1.0-subset-types.json` supplies entity, complex and enum types (with
//! `baseType` inheritance), navigation properties, alternate keys, entity sets, singletons and bound
//! operations; `IsFlags` of enum types, which the compact file omits, is read from the XML extract
//! `msgraph/v1.0-subset-cleanMetadata.xml`.
//!
//! A path (`/v1.0/servicePrincipals(appId='…')/appRoleAssignedTo`) is resolved segment by segment to an entity
//! set, singleton, key, navigation property, structural property, type cast, bound operation, `$ref`, `$count`
//! or `$batch`; the resolved target decides which methods are allowed and which type the body must have.
//!
//! Rules (each message names the JSON path and what was expected):
//! * Entity and complex bodies: every property must be declared on the type or one of its base types, with the
//!   right EDM type (`Edm.Guid` must be a hyphenated GUID, `Edm.DateTimeOffset` RFC 3339, `Edm.Binary` base64,
//!   `Edm.Int32` in range, enum members by name, flags enums as comma-separated members), collections as
//!   arrays, and no `null` where the property is `Nullable=false` (for collections: neither the collection nor
//!   its items). `@odata.type` may name the type or a type derived from it. Open types (`servicePrincipal`,
//!   `directoryObject`) accept undeclared properties only in the directory-extension form
//!   `extension_<32 hex>_<name>`; a typo'd property always fails.
//! * Requests may carry `@odata.type` and `<navigation>@odata.bind`. Responses may carry `@odata.context`,
//!   `@odata.type` and `@odata.id` on entities, and `@odata.context`, `@odata.nextLink`, `@odata.count` and
//!   `@odata.deltaLink` beside a collection's `value`. With `$select`, a response entity may hold only the
//!   selected properties (and `id`).
//! * Query options must be OData system options (`$filter`, `$select`, `$expand`, `$top`, `$skip`, `$count`,
//!   `$orderby`, `$search`, `$skiptoken`, `$deltatoken`, `$format`); property names in `$select`, `$expand`,
//!   `$orderby` and `$filter` must exist on the addressed type.
//! * Success statuses follow Graph's conventions: GET 200; POST to a collection 201 (or 204 with
//!   `Prefer: return=minimal`); PATCH and PUT 204 or 200 with the entity, or 201 when addressed by an
//!   alternate key (upsert); DELETE 204; actions 200 with their return type or 204; `$ref` writes 204.
//! * Error bodies: `{"error": {"code": string, "message": string, "innerError": {…}, "details"?: […],
//!   "target"?: string}}`, where `innerError` holds strings (`date`, `request-id`, `client-request-id`, `code`,
//!   `message`) and may nest another `innerError`.
//! * `$batch`: at most 20 requests, each with a unique `id`, an upper-case `method`, a `url` relative to the
//!   version root, optional string `headers`, optional `body` (which needs a `Content-Type` header) and
//!   `dependsOn` naming other requests; each inner request and response is validated like a top-level one.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::{
    child_path, describe, index_path, is_full_date, is_guid, is_rfc3339, parse_query,
    percent_decode, read_spec_json, show_short, specs_dir, split_query, strip_origin, suggestion,
};

const TYPES_FILE: &str = "msgraph/v1.0-subset-types.json";
const METADATA_XML_FILE: &str = "msgraph/v1.0-subset-cleanMetadata.xml";
const MAX_BATCH_REQUESTS: usize = 20;
const SYSTEM_QUERY_OPTIONS: [&str; 11] = [
    "$filter",
    "$select",
    "$expand",
    "$top",
    "$skip",
    "$count",
    "$orderby",
    "$search",
    "$skiptoken",
    "$deltatoken",
    "$format",
];

static GRAPH_DATA: LazyLock<GraphData> = LazyLock::new(GraphData::load);

/// Handle to the parsed Graph metadata; cheap to copy, the files are parsed once per test binary.
#[derive(Clone, Copy)]
pub struct GraphSpec {
    data: &'static GraphData,
}

struct GraphData {
    structured: HashMap<String, StructuredType>,
    enums: HashMap<String, EnumType>,
    roots: BTreeMap<String, Root>,
    operations: Vec<BoundOperation>,
}

struct StructuredType {
    name: String,
    is_entity: bool,
    base: Option<String>,
    is_abstract: bool,
    is_open: bool,
    properties: Vec<PropertyDefinition>,
    navigation: Vec<NavigationDefinition>,
    alternate_keys: Vec<String>,
}

struct PropertyDefinition {
    name: String,
    type_ref: TypeRef,
    nullable: bool,
}

struct NavigationDefinition {
    name: String,
    type_ref: TypeRef,
    contains_target: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct TypeRef {
    name: String,
    collection: bool,
}

impl TypeRef {
    fn parse(text: &str) -> TypeRef {
        match text
            .strip_prefix("Collection(")
            .and_then(|inner| inner.strip_suffix(')'))
        {
            Some(inner) => TypeRef {
                name: short_name(inner),
                collection: true,
            },
            None => TypeRef {
                name: short_name(text),
                collection: false,
            },
        }
    }

    fn single(&self) -> TypeRef {
        TypeRef {
            name: self.name.clone(),
            collection: false,
        }
    }

    fn display(&self) -> String {
        let qualified = qualified_name(&self.name);
        if self.collection {
            format!("Collection({qualified})")
        } else {
            qualified
        }
    }
}

struct EnumType {
    members: Vec<String>,
    flags: bool,
}

struct Root {
    singleton: bool,
    type_name: String,
}

struct BoundOperation {
    is_action: bool,
    name: String,
    binding: TypeRef,
    parameters: Vec<(String, TypeRef)>,
    return_type: Option<TypeRef>,
}

/// `graph.x` / `microsoft.graph.x` → `x`; `Edm.*` unchanged.
fn short_name(name: &str) -> String {
    name.strip_prefix("microsoft.graph.")
        .or_else(|| name.strip_prefix("graph."))
        .unwrap_or(name)
        .to_string()
}

fn qualified_name(name: &str) -> String {
    if name.starts_with("Edm.") {
        name.to_string()
    } else {
        format!("microsoft.graph.{name}")
    }
}

impl GraphData {
    fn load() -> GraphData {
        let root = read_spec_json(TYPES_FILE);
        let flag_enums = read_flag_enum_names();
        let mut structured = HashMap::new();
        for (section, is_entity) in [("entityTypes", true), ("complexTypes", false)] {
            let Some(types) = root.get(section).and_then(Value::as_object) else {
                continue;
            };
            for (name, definition) in types {
                structured.insert(name.clone(), parse_structured(name, definition, is_entity));
            }
        }
        let mut enums = HashMap::new();
        if let Some(types) = root.get("enumTypes").and_then(Value::as_object) {
            for (name, members) in types {
                let members = members
                    .as_array()
                    .map(|members| {
                        members
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                enums.insert(
                    name.clone(),
                    EnumType {
                        members,
                        flags: flag_enums.contains(name),
                    },
                );
            }
        }
        let mut roots = BTreeMap::new();
        if let Some(entries) = root
            .get("entitySetsAndSingletons")
            .and_then(Value::as_object)
        {
            for (name, entry) in entries {
                roots.insert(
                    name.clone(),
                    Root {
                        singleton: entry.get("kind").and_then(Value::as_str) == Some("Singleton"),
                        type_name: short_name(
                            entry.get("type").and_then(Value::as_str).unwrap_or(""),
                        ),
                    },
                );
            }
        }
        let operations = root
            .get("boundOperations")
            .and_then(Value::as_array)
            .map(|operations| operations.iter().filter_map(parse_operation).collect())
            .unwrap_or_default();
        GraphData {
            structured,
            enums,
            roots,
            operations,
        }
    }

    fn structured(&self, name: &str) -> Option<&StructuredType> {
        self.structured.get(name)
    }

    /// The type followed by its base types, nearest first.
    fn ancestry(&self, name: &str) -> Vec<&StructuredType> {
        let mut chain = Vec::new();
        let mut current = self.structured(name);
        while let Some(definition) = current {
            if chain
                .iter()
                .any(|seen: &&StructuredType| seen.name == definition.name)
            {
                break;
            }
            chain.push(definition);
            current = definition
                .base
                .as_deref()
                .and_then(|base| self.structured(base));
        }
        chain
    }

    fn property(&self, type_name: &str, name: &str) -> Option<&PropertyDefinition> {
        self.ancestry(type_name).into_iter().find_map(|definition| {
            definition
                .properties
                .iter()
                .find(|property| property.name == name)
        })
    }

    fn navigation(&self, type_name: &str, name: &str) -> Option<&NavigationDefinition> {
        self.ancestry(type_name).into_iter().find_map(|definition| {
            definition
                .navigation
                .iter()
                .find(|navigation| navigation.name == name)
        })
    }

    fn member_names(&self, type_name: &str) -> Vec<&str> {
        let mut names = Vec::new();
        for definition in self.ancestry(type_name) {
            names.extend(
                definition
                    .properties
                    .iter()
                    .map(|property| property.name.as_str()),
            );
            names.extend(
                definition
                    .navigation
                    .iter()
                    .map(|navigation| navigation.name.as_str()),
            );
        }
        names
    }

    fn is_open(&self, type_name: &str) -> bool {
        self.ancestry(type_name)
            .iter()
            .any(|definition| definition.is_open)
    }

    fn alternate_keys(&self, type_name: &str) -> Vec<&str> {
        self.ancestry(type_name)
            .into_iter()
            .flat_map(|definition| definition.alternate_keys.iter().map(String::as_str))
            .collect()
    }

    fn is_same_or_derived(&self, candidate: &str, base: &str) -> bool {
        self.ancestry(candidate)
            .iter()
            .any(|definition| definition.name == base)
    }

    fn derived_names(&self, base: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .structured
            .keys()
            .filter(|name| self.is_same_or_derived(name, base))
            .map(|name| qualified_name(name))
            .collect();
        names.sort();
        names
    }

    /// The index of a bound operation applicable to `binding` (the type or one of its bases, collection or
    /// single).
    fn bound_operation(&self, binding: &TypeRef, name: &str) -> Option<usize> {
        self.operations.iter().position(|operation| {
            operation.name == name
                && operation.binding.collection == binding.collection
                && self.is_same_or_derived(&binding.name, &operation.binding.name)
        })
    }
}

fn read_flag_enum_names() -> Vec<String> {
    let path = specs_dir().join(METADATA_XML_FILE);
    let xml = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read vendor spec {}: {error}", path.display()));
    let mut names = Vec::new();
    for element in xml.split("<EnumType ").skip(1) {
        let head = element.split('>').next().unwrap_or("");
        if head.contains("IsFlags=\"true\"")
            && let Some(name) = head
                .split("Name=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
        {
            names.push(name.to_string());
        }
    }
    names
}

fn parse_structured(name: &str, definition: &Value, is_entity: bool) -> StructuredType {
    let list = |key: &str| {
        definition
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    StructuredType {
        name: name.to_string(),
        is_entity,
        base: definition
            .get("baseType")
            .and_then(Value::as_str)
            .map(short_name),
        is_abstract: definition.get("abstract").and_then(Value::as_bool) == Some(true),
        is_open: definition.get("openType").and_then(Value::as_bool) == Some(true),
        properties: list("properties")
            .iter()
            .filter_map(|property| {
                Some(PropertyDefinition {
                    name: property.get("name")?.as_str()?.to_string(),
                    type_ref: TypeRef::parse(property.get("type")?.as_str()?),
                    nullable: property.get("nullable").and_then(Value::as_bool) != Some(false),
                })
            })
            .collect(),
        navigation: list("navigationProperties")
            .iter()
            .filter_map(|navigation| {
                Some(NavigationDefinition {
                    name: navigation.get("name")?.as_str()?.to_string(),
                    type_ref: TypeRef::parse(navigation.get("type")?.as_str()?),
                    contains_target: navigation.get("containsTarget").and_then(Value::as_bool)
                        == Some(true),
                })
            })
            .collect(),
        alternate_keys: list("alternateKeys")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    }
}

fn parse_operation(operation: &Value) -> Option<BoundOperation> {
    Some(BoundOperation {
        is_action: operation.get("kind")?.as_str()? == "Action",
        name: operation.get("name")?.as_str()?.to_string(),
        binding: TypeRef::parse(operation.get("bindingType")?.as_str()?),
        parameters: operation
            .get("parameters")
            .and_then(Value::as_array)
            .map(|parameters| {
                parameters
                    .iter()
                    .filter_map(|parameter| {
                        Some((
                            parameter.get("name")?.as_str()?.to_string(),
                            TypeRef::parse(parameter.get("type")?.as_str()?),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        return_type: operation
            .get("returnType")
            .and_then(Value::as_str)
            .map(TypeRef::parse),
    })
}

/// How a collection was reached: it decides POST and `$ref`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CollectionKind {
    EntitySet,
    Contained,
    Linked,
}

/// How a single entity was reached: it decides PATCH, PUT and DELETE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EntityKind {
    Keyed,
    AlternateKeyed,
    Singleton,
    ContainedSingle,
    LinkedSingle,
    LinkedMember,
}

/// What a Graph URL addresses.
#[derive(Clone, Debug)]
enum Target {
    Batch,
    Collection {
        type_name: String,
        kind: CollectionKind,
    },
    Entity {
        type_name: String,
        kind: EntityKind,
    },
    Property {
        type_ref: TypeRef,
    },
    Reference {
        collection: bool,
        member: bool,
    },
    Count,
    Operation {
        index: usize,
    },
}

struct ResolvedPath {
    target: Target,
    description: String,
    query: Vec<(String, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Request,
    Response,
}

impl GraphSpec {
    /// Parses the Graph metadata extract on first use and returns a handle to it.
    pub fn load() -> GraphSpec {
        GraphSpec { data: &GRAPH_DATA }
    }

    /// The qualified entity type a path addresses (`microsoft.graph.authorizationPolicy`), or the errors
    /// that stop it from resolving.
    pub fn resolve_type(&self, path: &str) -> Result<String, Vec<String>> {
        let resolved = self.resolve(path)?;
        match resolved.target {
            Target::Collection { type_name, .. } | Target::Entity { type_name, .. } => {
                Ok(qualified_name(&type_name))
            }
            Target::Property { type_ref } => Ok(type_ref.display()),
            other => Err(vec![format!(
                "path: {} addresses {other:?}, not a typed resource",
                resolved.description
            )]),
        }
    }

    /// Checks a request zentra sends: the path resolves, the method is allowed on it, the query options name
    /// real properties, and the body fits the addressed type (or is a valid `$batch` envelope whose inner
    /// requests are each valid).
    pub fn validate_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        let method = method.to_ascii_uppercase();
        let resolved = self.resolve(path)?;
        let mut errors = Vec::new();
        self.check_query(&resolved, &mut errors);
        if let Err(problem) = check_method(&method, &resolved, self.data) {
            errors.push(problem);
            return Err(errors);
        }
        match (&resolved.target, body) {
            (Target::Batch, Some(body)) => self.check_batch_request(body, &mut errors),
            (_, None) if method == "GET" || method == "DELETE" => {}
            (_, Some(_)) if method == "GET" || method == "DELETE" => {
                errors.push(format!(
                    "body: {method} {} takes no body",
                    resolved.description
                ));
            }
            (Target::Collection { type_name, .. }, Some(body))
            | (Target::Entity { type_name, .. }, Some(body)) => {
                self.check_structured(type_name, body, Mode::Request, "body", None, &mut errors);
            }
            (Target::Reference { .. }, Some(body)) => check_reference_body(body, &mut errors),
            (Target::Operation { index }, body) => {
                self.check_operation_parameters(*index, body, &mut errors)
            }
            (_, None) => errors.push(format!(
                "body: {method} {} needs a JSON body, none was sent",
                resolved.description
            )),
            (target, Some(_)) => errors.push(format!("body: {method} on {target:?} takes no body")),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks a response the emulator returns for `method path`: a success status Graph uses for that kind
    /// of request with a body of the addressed type, or Graph's error shape.
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        let method = method.to_ascii_uppercase();
        let resolved = self.resolve(path)?;
        let mut errors = Vec::new();
        if let Err(problem) = check_method(&method, &resolved, self.data) {
            return Err(vec![format!(
                "{problem} (so no response to it can conform)"
            )]);
        }
        if status >= 400 {
            match body {
                Some(body) => check_error_body(body, "body", &mut errors),
                None if status >= 500 => {}
                None => errors.push(format!("body: a {status} response must carry Graph's error body {{\"error\": {{code, message, innerError}}}}")),
            }
            return if errors.is_empty() {
                Ok(())
            } else {
                Err(errors)
            };
        }
        let selection = selected_properties(&resolved.query);
        let expected = self.expected_success(&method, &resolved);
        let Some(body_kind) = expected
            .iter()
            .find(|(expected_status, _)| *expected_status == status)
            .map(|(_, kind)| kind.clone())
        else {
            let statuses: Vec<u16> = expected
                .iter()
                .map(|(expected_status, _)| *expected_status)
                .collect();
            return Err(vec![format!(
                "status: {status} is not a success status Graph uses for {method} {}; expected one of {statuses:?}",
                resolved.description
            )]);
        };
        match (body_kind, body) {
            (SuccessBody::None, None) => {}
            (SuccessBody::None, Some(body)) => {
                errors.push(format!(
                    "body: status {status} carries no body, but {} was returned",
                    describe(body)
                ));
            }
            (_, None) => errors.push(format!(
                "body: status {status} for {method} {} needs a JSON body",
                resolved.description
            )),
            (SuccessBody::Entity(type_name), Some(body)) => {
                self.check_structured(
                    &type_name,
                    body,
                    Mode::Response,
                    "body",
                    selection.as_deref(),
                    &mut errors,
                );
            }
            (SuccessBody::Collection(type_ref), Some(body)) => {
                self.check_collection_response(&type_ref, body, selection.as_deref(), &mut errors);
            }
            (SuccessBody::Value(type_ref), Some(body)) => {
                self.check_value_wrapper(&type_ref, body, &mut errors)
            }
            (SuccessBody::Count, Some(body)) => {
                if !(body.is_u64()) {
                    errors.push(format!(
                        "body: $count returns a non-negative integer, found {}",
                        describe(body)
                    ));
                }
            }
            (SuccessBody::References(collection), Some(body)) => {
                check_reference_response(body, collection, &mut errors)
            }
            (SuccessBody::Batch, Some(body)) => self.check_batch_response(body, &mut errors),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks a whole `$batch` exchange: the request envelope and each inner request, the response envelope,
    /// and each inner response against the inner request with the same `id`.
    pub fn validate_batch(
        &self,
        request_body: &Value,
        status: u16,
        response_body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if let Err(request_errors) =
            self.validate_request("POST", "/v1.0/$batch", Some(request_body))
        {
            errors.extend(
                request_errors
                    .into_iter()
                    .map(|error| format!("request {error}")),
            );
        }
        if let Err(response_errors) =
            self.validate_response("POST", "/v1.0/$batch", status, response_body)
        {
            errors.extend(
                response_errors
                    .into_iter()
                    .map(|error| format!("response {error}")),
            );
        }
        if status != 200 {
            return if errors.is_empty() {
                Ok(())
            } else {
                Err(errors)
            };
        }
        let requests: Vec<&Value> = request_body
            .get("requests")
            .and_then(Value::as_array)
            .map(|items| items.iter().collect())
            .unwrap_or_default();
        let responses: Vec<&Value> = response_body
            .and_then(|body| body.get("responses"))
            .and_then(Value::as_array)
            .map(|items| items.iter().collect())
            .unwrap_or_default();
        for (index, request) in requests.iter().enumerate() {
            let Some(id) = request.get("id").and_then(Value::as_str) else {
                continue;
            };
            let request_path = format!("request body.requests[{index}] (id \"{id}\")");
            let Some((response_index, response)) = responses
                .iter()
                .enumerate()
                .find(|(_, response)| response.get("id").and_then(Value::as_str) == Some(id))
            else {
                errors.push(format!("{request_path}: no response with this id"));
                continue;
            };
            let (Some(method), Some(url)) = (
                request.get("method").and_then(Value::as_str),
                request.get("url").and_then(Value::as_str),
            ) else {
                continue;
            };
            let Some(inner_status) = response
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|status| u16::try_from(status).ok())
            else {
                continue;
            };
            let response_path = format!("response body.responses[{response_index}] (id \"{id}\")");
            let depends = request
                .get("dependsOn")
                .and_then(Value::as_array)
                .is_some_and(|ids| !ids.is_empty());
            if inner_status == 424 && !depends {
                errors.push(format!(
                    "{response_path}: 424 Failed Dependency for a request without dependsOn"
                ));
                continue;
            }
            if let Err(inner) =
                self.validate_response(method, &inner_url(url), inner_status, response.get("body"))
            {
                errors.extend(
                    inner
                        .into_iter()
                        .map(|error| format!("{response_path}: {error}")),
                );
            }
        }
        for (index, response) in responses.iter().enumerate() {
            let id = response.get("id").and_then(Value::as_str).unwrap_or("");
            if !requests
                .iter()
                .any(|request| request.get("id").and_then(Value::as_str) == Some(id))
            {
                errors.push(format!(
                    "response body.responses[{index}].id: \"{id}\" names no request of the batch"
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn resolve(&self, path: &str) -> Result<ResolvedPath, Vec<String>> {
        let data = self.data;
        let (path, query) = split_query(strip_origin(path), "");
        let Some(rest) = path
            .strip_prefix("/v1.0")
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        else {
            return Err(vec![format!(
                "path: `{path}` is not a Microsoft Graph v1.0 path (expected it to start with /v1.0/)"
            )]);
        };
        let segments: Vec<String> = rest
            .trim_start_matches('/')
            .split('/')
            .map(percent_decode)
            .collect();
        if segments.iter().any(String::is_empty) {
            return Err(vec![format!("path: `{path}` has an empty segment")]);
        }
        let query = parse_query(&query);
        let first = &segments[0];
        if first == "$batch" {
            if segments.len() > 1 {
                return Err(vec!["path: nothing may follow $batch".to_string()]);
            }
            return Ok(ResolvedPath {
                target: Target::Batch,
                description: "$batch".to_string(),
                query,
            });
        }
        let (root_name, key) =
            split_key(first).map_err(|problem| vec![format!("path: {problem}")])?;
        let Some(root) = data.roots.get(root_name) else {
            let known: Vec<&str> = data.roots.keys().map(String::as_str).collect();
            return Err(vec![format!(
                "path: `{root_name}` is not an entity set or singleton of the spec{}; known: [{}]",
                suggestion(root_name, known.iter().copied()),
                known.join(", ")
            )]);
        };
        let mut description = root_name.to_string();
        let mut target = if root.singleton {
            if key.is_some() {
                return Err(vec![format!("path: singleton `{root_name}` takes no key")]);
            }
            Target::Entity {
                type_name: root.type_name.clone(),
                kind: EntityKind::Singleton,
            }
        } else {
            match key {
                Some(key) => {
                    let kind = check_key(data, &root.type_name, key)
                        .map_err(|problem| vec![format!("path: {problem}")])?;
                    description.push_str(if kind == EntityKind::AlternateKeyed {
                        "(alternate key)"
                    } else {
                        "(key)"
                    });
                    Target::Entity {
                        type_name: root.type_name.clone(),
                        kind,
                    }
                }
                None => Target::Collection {
                    type_name: root.type_name.clone(),
                    kind: CollectionKind::EntitySet,
                },
            }
        };
        for segment in &segments[1..] {
            target = self
                .step(target, segment, &mut description)
                .map_err(|problem| vec![format!("path: {problem}")])?;
        }
        Ok(ResolvedPath {
            target,
            description,
            query,
        })
    }

    /// Moves from one addressed resource to the next path segment.
    fn step(
        &self,
        target: Target,
        segment: &str,
        description: &mut String,
    ) -> Result<Target, String> {
        let data = self.data;
        let operation_name = segment.strip_prefix("microsoft.graph.").unwrap_or(segment);
        let (operation_name, called) = match operation_name.strip_suffix("()") {
            Some(name) => (name, true),
            None => (operation_name, false),
        };
        match target {
            Target::Collection { type_name, kind } => {
                if data.structured(&type_name).is_none() {
                    return Err(format!(
                        "{description} is a collection of {}, which is outside the spec subset; cannot resolve `{segment}`",
                        qualified_name(&type_name)
                    ));
                }
                let binding = TypeRef {
                    name: type_name.clone(),
                    collection: true,
                };
                if segment == "$count" {
                    description.push_str("/$count");
                    return Ok(Target::Count);
                }
                if segment == "$ref" {
                    if kind != CollectionKind::Linked {
                        return Err(format!(
                            "$ref applies to non-contained navigation properties, not to {description}"
                        ));
                    }
                    description.push_str("/$ref");
                    return Ok(Target::Reference {
                        collection: true,
                        member: false,
                    });
                }
                if let Some(cast) = segment
                    .strip_prefix("microsoft.graph.")
                    .filter(|name| data.structured(name).is_some())
                {
                    check_cast(data, &type_name, cast)?;
                    description.push('/');
                    description.push_str(segment);
                    return Ok(Target::Collection {
                        type_name: cast.to_string(),
                        kind,
                    });
                }
                if let Some(index) = data.bound_operation(&binding, operation_name)
                    && (called || data.operations[index].is_action)
                {
                    description.push('/');
                    description.push_str(segment);
                    return Ok(Target::Operation { index });
                }
                let kind = if kind == CollectionKind::Linked {
                    EntityKind::LinkedMember
                } else {
                    EntityKind::Keyed
                };
                description.push_str("/{key}");
                Ok(Target::Entity { type_name, kind })
            }
            Target::Entity { type_name, kind } => {
                if data.structured(&type_name).is_none() {
                    return Err(format!(
                        "{description} is a {}, which is outside the spec subset; cannot resolve `{segment}`",
                        qualified_name(&type_name)
                    ));
                }
                if segment == "$ref" {
                    if !matches!(kind, EntityKind::LinkedSingle | EntityKind::LinkedMember) {
                        return Err(format!(
                            "$ref applies to non-contained navigation properties, not to {description}"
                        ));
                    }
                    description.push_str("/$ref");
                    return Ok(Target::Reference {
                        collection: false,
                        member: kind == EntityKind::LinkedMember,
                    });
                }
                if segment == "$value" {
                    description.push_str("/$value");
                    return Ok(Target::Property {
                        type_ref: TypeRef {
                            name: "Edm.Stream".into(),
                            collection: false,
                        },
                    });
                }
                if let Some(cast) = segment
                    .strip_prefix("microsoft.graph.")
                    .filter(|name| data.structured(name).is_some())
                {
                    check_cast(data, &type_name, cast)?;
                    description.push('/');
                    description.push_str(segment);
                    return Ok(Target::Entity {
                        type_name: cast.to_string(),
                        kind,
                    });
                }
                let (name, key) = split_key(segment)?;
                if let Some(navigation) = data.navigation(&type_name, name) {
                    description.push('/');
                    description.push_str(name);
                    let next_type = navigation.type_ref.name.clone();
                    return match (navigation.type_ref.collection, key) {
                        (true, None) => Ok(Target::Collection {
                            type_name: next_type,
                            kind: if navigation.contains_target {
                                CollectionKind::Contained
                            } else {
                                CollectionKind::Linked
                            },
                        }),
                        (true, Some(key)) => {
                            let kind = check_key(data, &next_type, key)?;
                            description.push_str("(key)");
                            Ok(Target::Entity {
                                type_name: next_type,
                                kind: if navigation.contains_target {
                                    kind
                                } else {
                                    EntityKind::LinkedMember
                                },
                            })
                        }
                        (false, None) => Ok(Target::Entity {
                            type_name: next_type,
                            kind: if navigation.contains_target {
                                EntityKind::ContainedSingle
                            } else {
                                EntityKind::LinkedSingle
                            },
                        }),
                        (false, Some(_)) => Err(format!(
                            "single-valued navigation property `{name}` takes no key"
                        )),
                    };
                }
                if key.is_none()
                    && let Some(property) = data.property(&type_name, name)
                {
                    description.push('/');
                    description.push_str(name);
                    return Ok(Target::Property {
                        type_ref: property.type_ref.clone(),
                    });
                }
                let binding = TypeRef {
                    name: type_name.clone(),
                    collection: false,
                };
                if let Some(index) = data.bound_operation(&binding, operation_name)
                    && (called || data.operations[index].is_action)
                {
                    description.push('/');
                    description.push_str(segment);
                    return Ok(Target::Operation { index });
                }
                let mut candidates = data.member_names(&type_name);
                candidates.extend(
                    data.operations
                        .iter()
                        .filter(|operation| {
                            !operation.binding.collection
                                && data.is_same_or_derived(&type_name, &operation.binding.name)
                        })
                        .map(|operation| operation.name.as_str()),
                );
                Err(format!(
                    "`{segment}` is not a property, navigation property or bound operation of {}{}",
                    qualified_name(&type_name),
                    suggestion(name, candidates.iter().copied())
                ))
            }
            other => Err(format!(
                "nothing may follow {description} ({other:?}), found `{segment}`"
            )),
        }
    }

    fn check_query(&self, resolved: &ResolvedPath, errors: &mut Vec<String>) {
        let type_name = match &resolved.target {
            Target::Collection { type_name, .. } | Target::Entity { type_name, .. } => {
                Some(type_name.as_str())
            }
            Target::Operation { index } => self.data.operations[*index]
                .return_type
                .as_ref()
                .map(|return_type| return_type.name.as_str()),
            _ => None,
        };
        let is_collection = match &resolved.target {
            Target::Collection { .. }
            | Target::Reference {
                collection: true, ..
            } => true,
            Target::Operation { index } => self.data.operations[*index]
                .return_type
                .as_ref()
                .is_some_and(|return_type| return_type.collection),
            _ => false,
        };
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &resolved.query {
            let path = format!("query.{name}");
            if seen.contains(&name.as_str()) {
                errors.push(format!("{path}: query option given more than once"));
                continue;
            }
            seen.push(name);
            if !name.starts_with('$') {
                errors.push(format!("{path}: not an OData system query option (Graph v1.0 options start with `$`){}", suggestion(&format!("${name}"), SYSTEM_QUERY_OPTIONS)));
                continue;
            }
            if !SYSTEM_QUERY_OPTIONS.contains(&name.as_str()) {
                errors.push(format!(
                    "{path}: unknown system query option{}",
                    suggestion(name, SYSTEM_QUERY_OPTIONS)
                ));
                continue;
            }
            let collection_only = matches!(
                name.as_str(),
                "$filter"
                    | "$top"
                    | "$skip"
                    | "$count"
                    | "$orderby"
                    | "$search"
                    | "$skiptoken"
                    | "$deltatoken"
            );
            if collection_only && !is_collection {
                errors.push(format!(
                    "{path}: applies to collections, but {} addresses a single resource",
                    resolved.description
                ));
                continue;
            }
            match name.as_str() {
                "$top" | "$skip" if value.parse::<u32>().is_err() => {
                    errors.push(format!(
                        "{path}: expected a non-negative integer, found `{value}`"
                    ));
                }
                "$count" if value != "true" && value != "false" => {
                    errors.push(format!("{path}: expected true or false, found `{value}`"));
                }
                "$format" if value != "json" && value != "application/json" => {
                    errors.push(format!("{path}: Graph returns JSON only, found `{value}`"));
                }
                "$search"
                    if !(value.len() >= 2 && value.starts_with('"') && value.ends_with('"')) =>
                {
                    errors.push(format!(
                        "{path}: $search terms must be enclosed in double quotes"
                    ));
                }
                "$select" | "$expand" | "$orderby" => {
                    let Some(type_name) = type_name else { continue };
                    for item in value.split(',').map(str::trim) {
                        let member = match name.as_str() {
                            "$orderby" => item.split_whitespace().next().unwrap_or(""),
                            "$expand" => item.split(['(', '/', '$']).next().unwrap_or("").trim(),
                            _ => item,
                        };
                        let member_root = member.split('/').next().unwrap_or("");
                        if name == "$orderby" {
                            let direction = item.split_whitespace().nth(1);
                            if direction
                                .is_some_and(|direction| direction != "asc" && direction != "desc")
                                || item.split_whitespace().count() > 2
                            {
                                errors
                                    .push(format!("{path}: `{item}` is not `property [asc|desc]`"));
                            }
                        }
                        self.check_member(type_name, member_root, name == "$expand", &path, errors);
                    }
                }
                "$filter" => {
                    if let Some(type_name) = type_name {
                        self.check_filter(type_name, value, &path, errors);
                    }
                }
                _ => {}
            }
        }
    }

    fn check_member(
        &self,
        type_name: &str,
        member: &str,
        navigation_only: bool,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        if member == "*" || self.data.structured(type_name).is_none() {
            return;
        }
        let is_navigation = self.data.navigation(type_name, member).is_some();
        let is_property = self.data.property(type_name, member).is_some();
        if navigation_only && !is_navigation {
            errors.push(format!(
                "{path}: `{member}` is not a navigation property of {}{}",
                qualified_name(type_name),
                suggestion(member, self.data.member_names(type_name))
            ));
        } else if !navigation_only && !is_navigation && !is_property {
            errors.push(format!(
                "{path}: `{member}` is not a property of {} or its base types{}",
                qualified_name(type_name),
                suggestion(member, self.data.member_names(type_name))
            ));
        }
    }

    /// Checks the property names (and simple literal types) of a `$filter` expression.
    fn check_filter(&self, type_name: &str, filter: &str, path: &str, errors: &mut Vec<String>) {
        let tokens = match tokenize_filter(filter) {
            Ok(tokens) => tokens,
            Err(problem) => {
                errors.push(format!("{path}: {problem}"));
                return;
            }
        };
        let mut lambda_variables: Vec<String> = Vec::new();
        for (index, token) in tokens.iter().enumerate() {
            if let FilterToken::Word(word) = token
                && matches!(tokens.get(index + 1), Some(FilterToken::Colon))
            {
                lambda_variables.push(word.clone());
            }
        }
        for (index, token) in tokens.iter().enumerate() {
            let FilterToken::Word(word) = token else {
                continue;
            };
            let next = tokens.get(index + 1);
            let previous = index
                .checked_sub(1)
                .and_then(|previous| tokens.get(previous));
            if is_filter_keyword(word)
                || matches!(next, Some(FilterToken::Open) | Some(FilterToken::Colon))
                || matches!(previous, Some(FilterToken::Slash))
                || is_filter_literal(word)
            {
                continue;
            }
            if lambda_variables.contains(word) {
                continue;
            }
            let member = word.as_str();
            if self.data.property(type_name, member).is_none()
                && self.data.navigation(type_name, member).is_none()
            {
                errors.push(format!(
                    "{path}: `{member}` is not a property of {}{}",
                    qualified_name(type_name),
                    suggestion(member, self.data.member_names(type_name))
                ));
                continue;
            }
            if let (Some(FilterToken::Word(operator)), Some(literal)) =
                (next, tokens.get(index + 2))
                && matches!(operator.as_str(), "eq" | "ne" | "gt" | "ge" | "lt" | "le")
                && let Some(property) = self.data.property(type_name, member)
                && !property.type_ref.collection
                && let Some(problem) = literal_mismatch(&property.type_ref.name, literal)
            {
                errors.push(format!("{path}: `{member} {operator} …`: {problem}"));
            }
        }
    }

    /// Validates an entity or complex value of `type_name` (or of a derived type named by `@odata.type`).
    fn check_structured(
        &self,
        type_name: &str,
        value: &Value,
        mode: Mode,
        path: &str,
        selection: Option<&[String]>,
        errors: &mut Vec<String>,
    ) {
        let data = self.data;
        let Some(object) = value.as_object() else {
            errors.push(format!(
                "{path}: expected an object ({}), found {}",
                qualified_name(type_name),
                describe(value)
            ));
            return;
        };
        if data.structured(type_name).is_none() {
            errors.push(format!(
                "{path}: type {} is outside the spec subset and cannot be validated",
                qualified_name(type_name)
            ));
            return;
        }
        let mut effective = type_name.to_string();
        if let Some(annotation) = object.get("@odata.type") {
            match annotation.as_str().and_then(|text| text.strip_prefix('#')) {
                Some(named) => {
                    let named = short_name(named);
                    if data.structured(&named).is_none() {
                        errors.push(format!("{path}.@odata.type: `#{}` is not a type of the spec", qualified_name(&named)));
                    } else if !data.is_same_or_derived(&named, type_name) {
                        errors.push(format!(
                            "{path}.@odata.type: #{} is not {} or derived from it; allowed: {:?}",
                            qualified_name(&named),
                            qualified_name(type_name),
                            data.derived_names(type_name)
                        ));
                    } else {
                        effective = named;
                    }
                }
                None => errors.push(format!(
                    "{path}.@odata.type: expected a string like \"#microsoft.graph.{type_name}\", found {}",
                    describe(annotation)
                )),
            }
        }
        if mode == Mode::Request
            && data
                .structured(&effective)
                .is_some_and(|definition| definition.is_abstract && definition.is_entity)
        {
            errors.push(format!(
                "{path}: {} is abstract; name a concrete type with @odata.type (one of {:?})",
                qualified_name(&effective),
                data.derived_names(&effective)
            ));
        }
        for (key, member_value) in object {
            let member_path = child_path(path, key);
            if let Some(annotation) = key.strip_prefix('@') {
                let allowed: &[&str] = match mode {
                    Mode::Request => &["odata.type"],
                    Mode::Response => &["odata.type", "odata.context", "odata.id"],
                };
                if !allowed.contains(&annotation) {
                    errors.push(format!(
                        "{member_path}: annotation not allowed on an entity in a {}",
                        mode_name(mode)
                    ));
                } else if !member_value.is_string() {
                    errors.push(format!(
                        "{member_path}: expected string, found {}",
                        describe(member_value)
                    ));
                }
                continue;
            }
            if let Some((member, annotation)) = key.split_once('@') {
                self.check_member_annotation(
                    &effective,
                    member,
                    annotation,
                    member_value,
                    mode,
                    &member_path,
                    errors,
                );
                continue;
            }
            if let Some(selection) = selection
                && mode == Mode::Response
                && key != "id"
                && !selection
                    .iter()
                    .any(|selected| selected == key || selected == "*")
            {
                errors.push(format!(
                    "{member_path}: not requested by $select={}",
                    selection.join(",")
                ));
                continue;
            }
            if let Some(property) = data.property(&effective, key) {
                self.check_value(
                    &property.type_ref,
                    property.nullable,
                    member_value,
                    mode,
                    &member_path,
                    errors,
                );
            } else if let Some(navigation) = data.navigation(&effective, key) {
                let nullable = !navigation.type_ref.collection;
                self.check_value(
                    &navigation.type_ref,
                    nullable,
                    member_value,
                    mode,
                    &member_path,
                    errors,
                );
            } else if data.is_open(&effective) && is_directory_extension_name(key) {
                // Directory extension on an open type.
            } else {
                errors.push(format!(
                    "{member_path}: property not declared on {} or its base types{}",
                    qualified_name(&effective),
                    suggestion(key, data.member_names(&effective))
                ));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_member_annotation(
        &self,
        type_name: &str,
        member: &str,
        annotation: &str,
        value: &Value,
        mode: Mode,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        let Some(navigation) = self.data.navigation(type_name, member) else {
            errors.push(format!(
                "{path}: `{member}` is not a navigation property of {}{}",
                qualified_name(type_name),
                suggestion(member, self.data.member_names(type_name))
            ));
            return;
        };
        match (mode, annotation) {
            (Mode::Request, "odata.bind") => {
                let valid = if navigation.type_ref.collection {
                    value
                        .as_array()
                        .is_some_and(|items| items.iter().all(Value::is_string))
                } else {
                    value.is_string()
                };
                if !valid {
                    let expected = if navigation.type_ref.collection {
                        "an array of URL strings"
                    } else {
                        "a URL string"
                    };
                    errors.push(format!(
                        "{path}: expected {expected}, found {}",
                        describe(value)
                    ));
                }
            }
            (Mode::Response, "odata.context" | "odata.nextLink") if value.is_string() => {}
            (Mode::Response, "odata.count") if value.is_u64() => {}
            _ => errors.push(format!(
                "{path}: annotation `@{annotation}` is not allowed here in a {}",
                mode_name(mode)
            )),
        }
    }

    fn check_value(
        &self,
        type_ref: &TypeRef,
        nullable: bool,
        value: &Value,
        mode: Mode,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        if value.is_null() {
            if !nullable {
                errors.push(format!(
                    "{path}: null is not allowed: {} is declared Nullable=false",
                    type_ref.display()
                ));
            }
            return;
        }
        if type_ref.collection {
            let Some(items) = value.as_array() else {
                errors.push(format!(
                    "{path}: expected an array ({}), found {}",
                    type_ref.display(),
                    describe(value)
                ));
                return;
            };
            let single = type_ref.single();
            for (index, item) in items.iter().enumerate() {
                self.check_value(
                    &single,
                    nullable,
                    item,
                    mode,
                    &index_path(path, index),
                    errors,
                );
            }
            return;
        }
        let name = type_ref.name.as_str();
        if let Some(problem) = check_primitive(name, value) {
            errors.push(format!("{path}: {problem}"));
            return;
        }
        if name.starts_with("Edm.") {
            return;
        }
        if let Some(enumeration) = self.data.enums.get(name) {
            let Some(text) = value.as_str() else {
                errors.push(format!(
                    "{path}: expected a member name of {}, found {}",
                    qualified_name(name),
                    describe(value)
                ));
                return;
            };
            let members: Vec<&str> = if enumeration.flags {
                text.split(',').map(str::trim).collect()
            } else {
                vec![text]
            };
            for member in members {
                if !enumeration.members.iter().any(|known| known == member) {
                    errors.push(format!(
                        "{path}: {} is not a member of {} {:?}{}",
                        show_short(&Value::String(member.to_string())),
                        qualified_name(name),
                        enumeration.members,
                        if enumeration.flags {
                            " (a flags enum: comma-separated members)"
                        } else {
                            ""
                        }
                    ));
                }
            }
            return;
        }
        self.check_structured(name, value, mode, path, None, errors);
    }

    fn check_collection_response(
        &self,
        type_ref: &TypeRef,
        body: &Value,
        selection: Option<&[String]>,
        errors: &mut Vec<String>,
    ) {
        let Some(object) = body.as_object() else {
            errors.push(format!(
                "body: expected a collection object {{\"value\": [...]}}, found {}",
                describe(body)
            ));
            return;
        };
        match object.get("value") {
            Some(Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    let item_path = format!("body.value[{index}]");
                    if item.is_null() {
                        errors.push(format!("{item_path}: null is not allowed in a collection response"));
                    } else if type_ref.name.starts_with("Edm.") || self.data.enums.contains_key(&type_ref.name) {
                        self.check_value(&type_ref.single(), false, item, Mode::Response, &item_path, errors);
                    } else {
                        self.check_structured(&type_ref.name, item, Mode::Response, &item_path, selection, errors);
                    }
                }
            }
            Some(other) => errors.push(format!("body.value: expected an array, found {}", describe(other))),
            None => errors.push("body.value: required property is missing (collections are returned as {\"value\": [...]})".to_string()),
        }
        check_collection_annotations(object, "body", errors);
    }

    /// `{"@odata.context": …, "value": <property or primitive return value>}`.
    fn check_value_wrapper(&self, type_ref: &TypeRef, body: &Value, errors: &mut Vec<String>) {
        let Some(object) = body.as_object() else {
            errors.push(format!(
                "body: expected {{\"value\": …}}, found {}",
                describe(body)
            ));
            return;
        };
        match object.get("value") {
            Some(value) => {
                self.check_value(type_ref, true, value, Mode::Response, "body.value", errors)
            }
            None => errors.push("body.value: required property is missing".to_string()),
        }
        for key in object
            .keys()
            .filter(|key| *key != "value" && *key != "@odata.context")
        {
            errors.push(format!("body.{key}: not allowed beside a property value"));
        }
    }

    fn check_operation_parameters(
        &self,
        index: usize,
        body: Option<&Value>,
        errors: &mut Vec<String>,
    ) {
        let operation = &self.data.operations[index];
        // Actions without parameters (`verify`, `promote`) are called without a body.
        let Some(body) = body else { return };
        let Some(object) = body.as_object() else {
            errors.push(format!(
                "body: expected the parameters object of {}, found {}",
                operation.name,
                describe(body)
            ));
            return;
        };
        for (key, value) in object {
            match operation.parameters.iter().find(|(name, _)| name == key) {
                Some((_, type_ref)) => self.check_value(
                    type_ref,
                    true,
                    value,
                    Mode::Request,
                    &child_path("body", key),
                    errors,
                ),
                None => errors.push(format!(
                    "body.{key}: not a parameter of {}{}",
                    operation.name,
                    suggestion(
                        key,
                        operation.parameters.iter().map(|(name, _)| name.as_str())
                    )
                )),
            }
        }
    }

    fn check_batch_request(&self, body: &Value, errors: &mut Vec<String>) {
        let Some(object) = body.as_object() else {
            errors.push(format!(
                "body: expected {{\"requests\": [...]}}, found {}",
                describe(body)
            ));
            return;
        };
        for key in object.keys().filter(|key| *key != "requests") {
            errors.push(format!("body.{key}: not part of a $batch request"));
        }
        let Some(requests) = object.get("requests").and_then(Value::as_array) else {
            errors.push("body.requests: required array is missing".to_string());
            return;
        };
        if requests.is_empty() {
            errors.push("body.requests: a batch needs at least one request".to_string());
        }
        if requests.len() > MAX_BATCH_REQUESTS {
            errors.push(format!(
                "body.requests: at most {MAX_BATCH_REQUESTS} requests per batch, found {}",
                requests.len()
            ));
        }
        let ids: Vec<Option<&str>> = requests
            .iter()
            .map(|request| request.get("id").and_then(Value::as_str))
            .collect();
        for (index, request) in requests.iter().enumerate() {
            let item_path = index_path("body.requests", index);
            let Some(item) = request.as_object() else {
                errors.push(format!(
                    "{item_path}: expected an object, found {}",
                    describe(request)
                ));
                continue;
            };
            for key in item.keys().filter(|key| {
                !matches!(
                    key.as_str(),
                    "id" | "method" | "url" | "headers" | "body" | "dependsOn"
                )
            }) {
                errors.push(format!(
                    "{item_path}.{key}: not part of a batch request{}",
                    suggestion(key, ["id", "method", "url", "headers", "body", "dependsOn"])
                ));
            }
            let id = match item.get("id") {
                Some(Value::String(id)) if !id.is_empty() => {
                    if ids[..index].contains(&Some(id.as_str())) {
                        errors.push(format!(
                            "{item_path}.id: \"{id}\" is used by an earlier request"
                        ));
                    }
                    id.as_str()
                }
                Some(other) => {
                    errors.push(format!(
                        "{item_path}.id: expected a non-empty string, found {}",
                        describe(other)
                    ));
                    ""
                }
                None => {
                    errors.push(format!("{item_path}.id: required property is missing"));
                    ""
                }
            };
            let label = format!("{item_path} (id \"{id}\")");
            let method = match item.get("method").and_then(Value::as_str) {
                Some(method) if matches!(method, "GET" | "POST" | "PATCH" | "PUT" | "DELETE") => {
                    Some(method)
                }
                Some(method) => {
                    errors.push(format!("{item_path}.method: expected one of GET, POST, PATCH, PUT, DELETE (upper case), found {}", show_short(&Value::String(method.into()))));
                    None
                }
                None => {
                    errors.push(format!("{item_path}.method: required string is missing"));
                    None
                }
            };
            let url = match item.get("url").and_then(Value::as_str) {
                Some(url) if url.contains("://") => {
                    errors.push(format!("{item_path}.url: must be relative to the version root, found an absolute URL"));
                    None
                }
                Some(url)
                    if url.trim_start_matches('/').starts_with("v1.0/")
                        || url.trim_start_matches('/').starts_with("beta/") =>
                {
                    errors.push(format!("{item_path}.url: must be relative to the version root, without the /v1.0 prefix"));
                    None
                }
                Some(url) if url.trim_start_matches('/').starts_with("$batch") => {
                    errors.push(format!("{item_path}.url: batches do not nest"));
                    None
                }
                Some(url) if !url.is_empty() => Some(url),
                _ => {
                    errors.push(format!(
                        "{item_path}.url: required non-empty string is missing"
                    ));
                    None
                }
            };
            let mut has_content_type = false;
            if let Some(headers) = item.get("headers") {
                match headers.as_object() {
                    Some(headers) => {
                        for (name, value) in headers {
                            if !value.is_string() {
                                errors.push(format!(
                                    "{item_path}.headers.{name}: expected string, found {}",
                                    describe(value)
                                ));
                            }
                            if name.eq_ignore_ascii_case("content-type") {
                                has_content_type = true;
                            }
                        }
                    }
                    None => errors.push(format!(
                        "{item_path}.headers: expected an object of strings, found {}",
                        describe(headers)
                    )),
                }
            }
            if item.contains_key("body") && !has_content_type {
                errors.push(format!(
                    "{item_path}.headers: a request with a body needs a Content-Type header"
                ));
            }
            if let Some(depends) = item.get("dependsOn") {
                match depends.as_array() {
                    Some(names) => {
                        for (position, name) in names.iter().enumerate() {
                            let name_path = index_path(&format!("{item_path}.dependsOn"), position);
                            match name.as_str() {
                                Some(name) if name == id => errors.push(format!(
                                    "{name_path}: a request cannot depend on itself"
                                )),
                                Some(name) if !ids.contains(&Some(name)) => {
                                    errors.push(format!(
                                        "{name_path}: \"{name}\" names no request of this batch"
                                    ));
                                }
                                Some(_) => {}
                                None => errors.push(format!(
                                    "{name_path}: expected a request id string, found {}",
                                    describe(name)
                                )),
                            }
                        }
                    }
                    None => errors.push(format!(
                        "{item_path}.dependsOn: expected an array of ids, found {}",
                        describe(depends)
                    )),
                }
            }
            if let (Some(method), Some(url)) = (method, url)
                && let Err(inner) = self.validate_request(method, &inner_url(url), item.get("body"))
            {
                errors.extend(inner.into_iter().map(|error| format!("{label}: {error}")));
            }
        }
    }

    fn check_batch_response(&self, body: &Value, errors: &mut Vec<String>) {
        let Some(object) = body.as_object() else {
            errors.push(format!(
                "body: expected {{\"responses\": [...]}}, found {}",
                describe(body)
            ));
            return;
        };
        for key in object
            .keys()
            .filter(|key| *key != "responses" && *key != "@odata.nextLink")
        {
            errors.push(format!("body.{key}: not part of a $batch response"));
        }
        let Some(responses) = object.get("responses").and_then(Value::as_array) else {
            errors.push("body.responses: required array is missing".to_string());
            return;
        };
        if responses.len() > MAX_BATCH_REQUESTS {
            errors.push(format!(
                "body.responses: at most {MAX_BATCH_REQUESTS} responses, found {}",
                responses.len()
            ));
        }
        let mut ids: Vec<&str> = Vec::new();
        for (index, response) in responses.iter().enumerate() {
            let item_path = index_path("body.responses", index);
            let Some(item) = response.as_object() else {
                errors.push(format!(
                    "{item_path}: expected an object, found {}",
                    describe(response)
                ));
                continue;
            };
            for key in item
                .keys()
                .filter(|key| !matches!(key.as_str(), "id" | "status" | "headers" | "body"))
            {
                errors.push(format!(
                    "{item_path}.{key}: not part of a batch response{}",
                    suggestion(key, ["id", "status", "headers", "body"])
                ));
            }
            match item.get("id").and_then(Value::as_str) {
                Some(id) => {
                    if ids.contains(&id) {
                        errors.push(format!("{item_path}.id: \"{id}\" appears twice"));
                    }
                    ids.push(id);
                }
                None => errors.push(format!("{item_path}.id: required string is missing")),
            }
            let status = item.get("status").and_then(Value::as_u64);
            match status {
                Some(status) if (100..600).contains(&status) => {}
                _ => errors.push(format!(
                    "{item_path}.status: required HTTP status integer is missing or out of range"
                )),
            }
            if let Some(headers) = item.get("headers") {
                match headers.as_object() {
                    Some(headers) => {
                        for (name, value) in headers {
                            if !value.is_string() {
                                errors.push(format!(
                                    "{item_path}.headers.{name}: expected string, found {}",
                                    describe(value)
                                ));
                            }
                        }
                    }
                    None => errors.push(format!(
                        "{item_path}.headers: expected an object of strings, found {}",
                        describe(headers)
                    )),
                }
            }
            if let Some(status) = status
                && status >= 400
            {
                match item.get("body") {
                    Some(body) => check_error_body(body, &format!("{item_path}.body"), errors),
                    None if status >= 500 => {}
                    None => errors.push(format!(
                        "{item_path}.body: a {status} response needs Graph's error body"
                    )),
                }
            }
        }
    }

    /// The success statuses (and body kinds) Graph uses for `method` on the resolved target.
    fn expected_success(&self, method: &str, resolved: &ResolvedPath) -> Vec<(u16, SuccessBody)> {
        let entity = |type_name: &str| SuccessBody::Entity(type_name.to_string());
        match (&resolved.target, method) {
            (Target::Batch, _) => vec![(200, SuccessBody::Batch)],
            (Target::Collection { type_name, .. }, "GET") => {
                vec![(
                    200,
                    SuccessBody::Collection(TypeRef {
                        name: type_name.clone(),
                        collection: true,
                    }),
                )]
            }
            (Target::Collection { type_name, .. }, "POST") => {
                vec![(201, entity(type_name)), (204, SuccessBody::None)]
            }
            (Target::Entity { type_name, .. }, "GET") => vec![(200, entity(type_name))],
            (Target::Entity { type_name, kind }, "PATCH" | "PUT") => {
                let mut statuses = vec![(204, SuccessBody::None), (200, entity(type_name))];
                if *kind == EntityKind::AlternateKeyed {
                    statuses.push((201, entity(type_name)));
                }
                statuses
            }
            (Target::Entity { .. }, "DELETE") => vec![(204, SuccessBody::None)],
            (Target::Property { type_ref }, "GET") => {
                vec![(200, SuccessBody::Value(type_ref.clone()))]
            }
            (Target::Count, "GET") => vec![(200, SuccessBody::Count)],
            (Target::Reference { collection, .. }, "GET") => {
                vec![(200, SuccessBody::References(*collection))]
            }
            (Target::Reference { .. }, _) => vec![(204, SuccessBody::None)],
            (Target::Operation { index }, _) => {
                let operation = &self.data.operations[*index];
                match &operation.return_type {
                    None => vec![(204, SuccessBody::None)],
                    Some(return_type) if return_type.collection => {
                        vec![(200, SuccessBody::Collection(return_type.clone()))]
                    }
                    Some(return_type)
                        if return_type.name.starts_with("Edm.")
                            || self.data.enums.contains_key(&return_type.name) =>
                    {
                        vec![(200, SuccessBody::Value(return_type.clone()))]
                    }
                    Some(return_type) if self.data.structured(&return_type.name).is_some() => {
                        vec![(200, entity(&return_type.name))]
                    }
                    Some(return_type) => vec![(200, SuccessBody::Entity(return_type.name.clone()))],
                }
            }
            _ => Vec::new(),
        }
    }
}

/// The body a success status carries.
#[derive(Clone, Debug)]
enum SuccessBody {
    None,
    Entity(String),
    Collection(TypeRef),
    Value(TypeRef),
    Count,
    References(bool),
    Batch,
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Request => "request",
        Mode::Response => "response",
    }
}

fn inner_url(url: &str) -> String {
    format!("/v1.0/{}", url.trim_start_matches('/'))
}

/// Which methods a resolved target accepts.
fn allowed_methods(target: &Target, data: &GraphData) -> Vec<&'static str> {
    match target {
        Target::Batch => vec!["POST"],
        Target::Collection {
            kind: CollectionKind::Linked,
            ..
        } => vec!["GET"],
        Target::Collection { .. } => vec!["GET", "POST"],
        Target::Entity {
            kind: EntityKind::Keyed | EntityKind::AlternateKeyed,
            ..
        } => vec!["GET", "PATCH", "PUT", "DELETE"],
        Target::Entity {
            kind: EntityKind::Singleton | EntityKind::ContainedSingle,
            ..
        } => vec!["GET", "PATCH", "PUT"],
        Target::Entity {
            kind: EntityKind::LinkedSingle | EntityKind::LinkedMember,
            ..
        } => vec!["GET"],
        Target::Property { .. } | Target::Count => vec!["GET"],
        Target::Reference {
            collection: true, ..
        } => vec!["GET", "POST"],
        Target::Reference { member: true, .. } => vec!["DELETE"],
        Target::Reference { .. } => vec!["GET", "PUT", "DELETE"],
        Target::Operation { index } => {
            if data.operations[*index].is_action {
                vec!["POST"]
            } else {
                vec!["GET"]
            }
        }
    }
}

fn check_method(method: &str, resolved: &ResolvedPath, data: &GraphData) -> Result<(), String> {
    let allowed = allowed_methods(&resolved.target, data);
    if allowed.contains(&method) {
        Ok(())
    } else {
        Err(format!(
            "method: 405 Method Not Allowed: {method} is not allowed on {}; allowed: [{}]",
            resolved.description,
            allowed.join(", ")
        ))
    }
}

/// Splits `name(key)` into the name and the raw key text.
fn split_key(segment: &str) -> Result<(&str, Option<&str>), String> {
    match segment.find('(') {
        None => Ok((segment, None)),
        Some(open) => {
            let Some(inner) = segment[open + 1..].strip_suffix(')') else {
                return Err(format!("`{segment}` has an unbalanced key parenthesis"));
            };
            Ok((&segment[..open], Some(inner)))
        }
    }
}

/// Checks `('id')`, `(id)` or `(altKey='value')` against the type's key and alternate keys.
fn check_key(data: &GraphData, type_name: &str, key: &str) -> Result<EntityKind, String> {
    if key.is_empty() {
        return Err("empty key `()`".to_string());
    }
    let Some((name, literal)) = key.split_once('=') else {
        return Ok(EntityKind::Keyed);
    };
    let name = name.trim();
    let literal = literal.trim();
    if name == "id" {
        return check_key_literal(data, type_name, name, literal).map(|_| EntityKind::Keyed);
    }
    let alternate_keys = data.alternate_keys(type_name);
    if !alternate_keys.contains(&name) {
        return Err(format!(
            "`{name}` is not a key or alternate key of {}; alternate keys: {alternate_keys:?}",
            qualified_name(type_name)
        ));
    }
    check_key_literal(data, type_name, name, literal).map(|_| EntityKind::AlternateKeyed)
}

fn check_key_literal(
    data: &GraphData,
    type_name: &str,
    name: &str,
    literal: &str,
) -> Result<(), String> {
    let property_type = data
        .property(type_name, name)
        .map(|property| property.type_ref.name.clone())
        .unwrap_or_else(|| "Edm.String".into());
    let quoted = literal.len() >= 2 && literal.starts_with('\'') && literal.ends_with('\'');
    match property_type.as_str() {
        "Edm.Guid"
            if !(is_guid(literal) || (quoted && is_guid(&literal[1..literal.len() - 1]))) =>
        {
            Err(format!(
                "key `{name}` is an Edm.Guid; `{literal}` is not a GUID"
            ))
        }
        "Edm.String" if !quoted => Err(format!(
            "key `{name}` is an Edm.String and must be quoted: {name}='…'"
        )),
        _ => Ok(()),
    }
}

fn check_cast(data: &GraphData, from: &str, to: &str) -> Result<(), String> {
    if data.is_same_or_derived(to, from) {
        Ok(())
    } else {
        Err(format!(
            "cannot cast {} to {}, which does not derive from it",
            qualified_name(from),
            qualified_name(to)
        ))
    }
}

/// `$select=a,b` → `["a", "b"]`.
fn selected_properties(query: &[(String, String)]) -> Option<Vec<String>> {
    query
        .iter()
        .find(|(name, _)| name == "$select")
        .map(|(_, value)| {
            value
                .split(',')
                .map(|item| item.trim().to_string())
                .filter(|item| !item.is_empty())
                .collect()
        })
}

/// `extension_<appId without dashes>_<name>`, the only undeclared properties an open directory type accepts.
fn is_directory_extension_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("extension_") else {
        return false;
    };
    let Some((application, property)) = rest.split_once('_') else {
        return false;
    };
    application.len() == 32
        && application.chars().all(|c| c.is_ascii_hexdigit())
        && !property.is_empty()
}

/// Checks an EDM primitive; `None` when the value fits (or the type is not primitive).
fn check_primitive(type_name: &str, value: &Value) -> Option<String> {
    let integer_range = |minimum: i64, maximum: i64| -> Option<String> {
        match value.as_i64() {
            Some(integer) if (minimum..=maximum).contains(&integer) => None,
            Some(integer) => Some(format!(
                "{integer} is out of range for {type_name} ({minimum}..={maximum})"
            )),
            None => Some(format!(
                "expected an integer ({type_name}), found {}",
                describe(value)
            )),
        }
    };
    let string = |check: fn(&str) -> bool, expected: &str| -> Option<String> {
        match value.as_str() {
            Some(text) if check(text) => None,
            Some(_) => Some(format!(
                "expected {expected} ({type_name}), found {}",
                describe(value)
            )),
            None => Some(format!(
                "expected a string ({type_name}), found {}",
                describe(value)
            )),
        }
    };
    match type_name {
        "Edm.String" => (!value.is_string())
            .then(|| format!("expected a string (Edm.String), found {}", describe(value))),
        "Edm.Boolean" => (!value.is_boolean()).then(|| {
            format!(
                "expected a boolean (Edm.Boolean), found {}",
                describe(value)
            )
        }),
        "Edm.Byte" => integer_range(0, 255),
        "Edm.SByte" => integer_range(-128, 127),
        "Edm.Int16" => integer_range(i64::from(i16::MIN), i64::from(i16::MAX)),
        "Edm.Int32" => integer_range(i64::from(i32::MIN), i64::from(i32::MAX)),
        "Edm.Int64" => integer_range(i64::MIN, i64::MAX),
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => match value {
            Value::Number(_) => None,
            Value::String(text)
                if type_name != "Edm.Decimal"
                    && matches!(text.as_str(), "NaN" | "INF" | "-INF") =>
            {
                None
            }
            _ => Some(format!(
                "expected a number ({type_name}), found {}",
                describe(value)
            )),
        },
        "Edm.Guid" => string(is_guid, "a GUID like 00000000-0000-0000-0000-000000000000"),
        "Edm.DateTimeOffset" => string(is_rfc3339, "an RFC 3339 date-time with offset"),
        "Edm.Date" => string(is_full_date, "a date YYYY-MM-DD"),
        "Edm.TimeOfDay" => string(
            |text| chrono::NaiveTime::parse_from_str(text, "%H:%M:%S%.f").is_ok(),
            "a time of day HH:MM:SS",
        ),
        "Edm.Duration" => string(
            |text| text.trim_start_matches('-').starts_with('P') && text.len() > 1,
            "an ISO 8601 duration like PT1H",
        ),
        "Edm.Binary" => string(is_base64, "base64"),
        "Edm.Stream" => Some("Edm.Stream values are not carried inline in JSON".to_string()),
        _ => None,
    }
}

fn is_base64(text: &str) -> bool {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .any(|engine| engine.decode(text).is_ok())
}

fn check_collection_annotations(object: &Map<String, Value>, path: &str, errors: &mut Vec<String>) {
    for (key, value) in object {
        let member_path = child_path(path, key);
        match key.as_str() {
            "value" => {}
            "@odata.context" | "@odata.nextLink" | "@odata.deltaLink" => {
                if !value.is_string() {
                    errors.push(format!("{member_path}: expected string, found {}", describe(value)));
                }
            }
            "@odata.count" => {
                if !value.is_u64() {
                    errors.push(format!("{member_path}: expected a non-negative integer, found {}", describe(value)));
                }
            }
            _ => errors.push(format!(
                "{member_path}: not allowed beside a collection's value (only @odata.context, @odata.nextLink, @odata.count, @odata.deltaLink){}",
                suggestion(key, ["value", "@odata.context", "@odata.nextLink", "@odata.count", "@odata.deltaLink"])
            )),
        }
    }
}

fn check_reference_body(body: &Value, errors: &mut Vec<String>) {
    let Some(object) = body.as_object() else {
        errors.push(format!(
            "body: expected {{\"@odata.id\": url}}, found {}",
            describe(body)
        ));
        return;
    };
    match object.get("@odata.id").and_then(Value::as_str) {
        Some(url) if url::Url::parse(url).is_ok() => {}
        Some(_) => errors
            .push("body.@odata.id: expected an absolute URL of the referenced object".to_string()),
        None => errors.push("body.@odata.id: required string is missing".to_string()),
    }
    for key in object.keys().filter(|key| *key != "@odata.id") {
        errors.push(format!("body.{key}: a $ref body holds only @odata.id"));
    }
}

fn check_reference_response(body: &Value, collection: bool, errors: &mut Vec<String>) {
    let check_one = |item: &Value, path: &str, errors: &mut Vec<String>| match item
        .get("@odata.id")
        .and_then(Value::as_str)
    {
        Some(_) => {}
        None => errors.push(format!("{path}.@odata.id: required string is missing")),
    };
    if collection {
        match body.get("value").and_then(Value::as_array) {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    check_one(item, &format!("body.value[{index}]"), errors);
                }
            }
            None => errors.push("body.value: required array is missing".to_string()),
        }
    } else {
        check_one(body, "body", errors);
    }
}

/// Graph's error body: `{"error": {"code", "message", "innerError", "details"?, "target"?}}`.
fn check_error_body(body: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(object) = body.as_object() else {
        errors.push(format!(
            "{path}: expected Graph's error object {{\"error\": {{…}}}}, found {}",
            describe(body)
        ));
        return;
    };
    for key in object.keys().filter(|key| *key != "error") {
        errors.push(format!(
            "{}: only `error` may appear in a Graph error body",
            child_path(path, key)
        ));
    }
    let error_path = child_path(path, "error");
    let Some(error) = object.get("error").and_then(Value::as_object) else {
        errors.push(format!("{error_path}: required object is missing"));
        return;
    };
    for key in ["code", "message"] {
        match error.get(key) {
            Some(Value::String(text)) if key == "code" && text.is_empty() => {
                errors.push(format!("{error_path}.code: must not be empty"));
            }
            Some(Value::String(_)) => {}
            Some(other) => errors.push(format!(
                "{error_path}.{key}: expected string, found {}",
                describe(other)
            )),
            None => errors.push(format!("{error_path}.{key}: required property is missing")),
        }
    }
    match error.get("innerError") {
        Some(inner) => check_inner_error(inner, &child_path(&error_path, "innerError"), errors),
        None => errors.push(format!(
            "{error_path}.innerError: required object is missing"
        )),
    }
    if let Some(target) = error.get("target")
        && !target.is_string()
    {
        errors.push(format!(
            "{error_path}.target: expected string, found {}",
            describe(target)
        ));
    }
    if let Some(details) = error.get("details") {
        match details.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let item_path = index_path(&format!("{error_path}.details"), index);
                    let Some(detail) = item.as_object() else {
                        errors.push(format!(
                            "{item_path}: expected object {{code, message, target?}}, found {}",
                            describe(item)
                        ));
                        continue;
                    };
                    for (key, value) in detail {
                        if !matches!(key.as_str(), "code" | "message" | "target") {
                            errors.push(format!("{item_path}.{key}: not part of an error detail"));
                        } else if !value.is_string() {
                            errors.push(format!(
                                "{item_path}.{key}: expected string, found {}",
                                describe(value)
                            ));
                        }
                    }
                    for key in ["code", "message"] {
                        if !detail.contains_key(key) {
                            errors.push(format!("{item_path}.{key}: required property is missing"));
                        }
                    }
                }
            }
            None => errors.push(format!(
                "{error_path}.details: expected an array, found {}",
                describe(details)
            )),
        }
    }
    for key in error.keys().filter(|key| {
        !matches!(
            key.as_str(),
            "code" | "message" | "innerError" | "details" | "target"
        )
    }) {
        errors.push(format!(
            "{error_path}.{key}: not part of Graph's error object{}",
            suggestion(key, ["code", "message", "innerError", "details", "target"])
        ));
    }
}

fn check_inner_error(inner: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(object) = inner.as_object() else {
        errors.push(format!(
            "{path}: expected an object, found {}",
            describe(inner)
        ));
        return;
    };
    for (key, value) in object {
        match key.as_str() {
            "innerError" => check_inner_error(value, &child_path(path, key), errors),
            "date" | "request-id" | "client-request-id" | "code" | "message" => {
                if !value.is_string() {
                    errors.push(format!(
                        "{path}.{key}: expected string, found {}",
                        describe(value)
                    ));
                }
            }
            _ => errors.push(format!(
                "{path}.{key}: not part of Graph's innerError{}",
                suggestion(
                    key,
                    [
                        "date",
                        "request-id",
                        "client-request-id",
                        "code",
                        "message",
                        "innerError"
                    ]
                )
            )),
        }
    }
}

/// Tokens of an OData `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
enum FilterToken {
    Word(String),
    Quoted,
    Open,
    Close,
    Comma,
    Slash,
    Colon,
}

fn tokenize_filter(filter: &str) -> Result<Vec<FilterToken>, String> {
    let mut tokens = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(&character) = chars.peek() {
        match character {
            ' ' | '\t' => {
                chars.next();
            }
            '\'' => {
                chars.next();
                let mut closed = false;
                while let Some(inner) = chars.next() {
                    if inner == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                        } else {
                            closed = true;
                            break;
                        }
                    }
                }
                if !closed {
                    return Err("unterminated string literal in $filter".to_string());
                }
                tokens.push(FilterToken::Quoted);
            }
            '(' => {
                chars.next();
                tokens.push(FilterToken::Open);
            }
            ')' => {
                chars.next();
                tokens.push(FilterToken::Close);
            }
            ',' => {
                chars.next();
                tokens.push(FilterToken::Comma);
            }
            '/' => {
                chars.next();
                tokens.push(FilterToken::Slash);
            }
            ':' => {
                chars.next();
                tokens.push(FilterToken::Colon);
            }
            _ => {
                let mut word = String::new();
                while let Some(&inner) = chars.peek() {
                    if matches!(inner, ' ' | '\t' | '\'' | '(' | ')' | ',' | '/' | ':') {
                        break;
                    }
                    word.push(inner);
                    chars.next();
                }
                tokens.push(FilterToken::Word(word));
            }
        }
    }
    let depth = tokens.iter().try_fold(0i32, |depth, token| {
        let depth = match token {
            FilterToken::Open => depth + 1,
            FilterToken::Close => depth - 1,
            _ => depth,
        };
        if depth < 0 { None } else { Some(depth) }
    });
    if depth != Some(0) {
        return Err("unbalanced parentheses in $filter".to_string());
    }
    Ok(tokens)
}

fn is_filter_keyword(word: &str) -> bool {
    matches!(
        word,
        "eq" | "ne"
            | "gt"
            | "ge"
            | "lt"
            | "le"
            | "and"
            | "or"
            | "not"
            | "has"
            | "in"
            | "true"
            | "false"
            | "null"
            | "any"
            | "all"
    )
}

fn is_filter_literal(word: &str) -> bool {
    word.parse::<f64>().is_ok()
        || is_guid(word)
        || is_rfc3339(word)
        || word.starts_with("microsoft.graph.")
}

/// A literal that cannot compare with a property of `type_name`.
fn literal_mismatch(type_name: &str, literal: &FilterToken) -> Option<String> {
    let word = match literal {
        FilterToken::Word(word) => Some(word.as_str()),
        FilterToken::Quoted => None,
        _ => return None,
    };
    if word == Some("null") {
        return None;
    }
    match type_name {
        "Edm.String" if word.is_some() => {
            Some("Edm.String properties compare with quoted literals".to_string())
        }
        "Edm.Boolean" if !matches!(word, Some("true" | "false")) => {
            Some("Edm.Boolean properties compare with true or false".to_string())
        }
        "Edm.Int32" | "Edm.Int64" | "Edm.Int16" | "Edm.Byte"
            if word.is_none_or(|word| word.parse::<i64>().is_err()) =>
        {
            Some(format!(
                "{type_name} properties compare with unquoted integers"
            ))
        }
        _ => None,
    }
}
