/// The OpenAPI 3.1 description of the API, written by hand and served at /api/v1/openapi.json.
/// HeadwayServerTests hold it to the routes, the view's columns and the JSON report's fields.
enum OpenAPIDocument {
    static let text = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Headway",
            "version": "1",
            "description": "Where public commitments stand against the progress figures published over time; figures and definitions written with a token. Errors are application/problem+json (RFC 9457). Every answer carries X-Request-Id; answers over 1 KiB are gzipped for clients that accept it."
          },
          "paths": {
            "/healthz": {
              "get": {
                "summary": "The server is up (the database is not consulted).",
                "operationId": "health",
                "responses": {"200": {"description": "Up.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/State"}}}}}
              }
            },
            "/readyz": {
              "get": {
                "summary": "The database answers and its migrations are current.",
                "operationId": "readiness",
                "responses": {
                  "200": {"description": "Ready.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/State"}}}},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/commitments": {
              "get": {
                "summary": "Rows of headway.commitment_status: the stored present, ordered by key.",
                "operationId": "listCommitments",
                "parameters": [
                  {"name": "status", "in": "query", "description": "Keep these statuses (repeatable); unassessed is a commitment not assessed yet.", "style": "form", "explode": true,
                   "schema": {"type": "array", "items": {"$ref": "#/components/schemas/StatusFilter"}}},
                  {"name": "tag", "in": "query", "description": "Keep commitments with this tag.", "schema": {"type": "string", "minLength": 1}},
                  {"name": "metric", "in": "query", "description": "Keep commitments on this metric.", "schema": {"type": "string", "minLength": 1}},
                  {"name": "q", "in": "query", "description": "A case-insensitive substring of the title or the key.", "schema": {"type": "string", "minLength": 1}},
                  {"name": "stale", "in": "query", "description": "Keep rows whose stored assessment is (not) out of date.", "schema": {"type": "boolean"}},
                  {"name": "limit", "in": "query", "description": "Rows per page.", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                  {"name": "sort", "in": "query", "description": "The order: a field, with a leading - for descending; rows without a value come last either way, equal values by key. status follows the Status enumeration's order; updated is assessed_at.",
                   "schema": {"type": "string", "enum": ["key", "-key", "deadline", "-deadline", "status", "-status", "probability_met", "-probability_met", "percent_complete", "-percent_complete", "updated", "-updated"], "default": "key"}},
                  {"name": "limit", "in": "query", "description": "Rows per page.", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                  {"name": "cursor", "in": "query", "description": "next_cursor of the previous page, with the same sort.", "schema": {"type": "string", "minLength": 1}},
                  {"$ref": "#/components/parameters/Format"}
                ],
                "responses": {
                  "200": {
                    "description": "One page. As CSV, the next page's address is in the Link header (rel=next).",
                    "headers": {"Link": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommitmentList"}}, "text/csv": {"schema": {"type": "string"}}}
                  },
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/commitments/{key}": {
              "get": {
                "summary": "One commitment assessed now from the figures, as in the JSON report; nothing is stored.",
                "operationId": "getCommitment",
                "parameters": [
                  {"name": "key", "in": "path", "required": true, "schema": {"type": "string"}},
                  {"name": "as_of", "in": "query", "description": "Assess with what was published by this date: YYYY-MM-DD, or a period (YYYY-MM, YYYY-Qn, YYYY, FYyyyy-yy) meaning its last day. 29 February and financial years are taken too, though the pattern leaves them out.",
                   "schema": {"type": "string", "pattern": "^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])(?:-Q[1-4]|-(?:0[1-9]|1[0-2])|-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|-(?:0[13-9]|1[0-2])-(?:29|30)|-(?:0[13578]|1[02])-31)?$"}}
                ],
                "responses": {
                  "200": {"description": "The assessment.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/summary": {
              "get": {
                "summary": "How many commitments stand in each status, overall and per tag (headway.status_counts).",
                "operationId": "summary",
                "responses": {
                  "200": {"description": "The counts.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Summary"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/events": {
              "get": {
                "summary": "What changes, as Server-Sent Events: id (increasing), event (the type) and one data line of JSON each, from headway.events; a ': keepalive' comment every 15 s. With Last-Event-ID (header or last_event_id), the stored events after it come first.",
                "operationId": "events",
                "parameters": [
                  {"name": "type", "in": "query", "description": "Keep these types (repeatable).", "style": "form", "explode": true,
                   "schema": {"type": "array", "items": {"type": "string", "enum": ["assessment", "status", "observations", "definitions"]}}},
                  {"name": "commitment", "in": "query", "description": "Keep this commitment's events, and the figures and definitions of its metric.", "schema": {"type": "string", "minLength": 1}},
                  {"name": "last_event_id", "in": "query", "description": "Resume after this event id, as the Last-Event-ID header does.", "schema": {"type": "integer", "minimum": 0}},
                  {"name": "Last-Event-ID", "in": "header", "description": "Resume after this event id (sent by EventSource when it reconnects).", "schema": {"type": "integer", "minimum": 0}}
                ],
                "responses": {
                  "200": {
                    "description": "The stream, open until the client or the server ends it. Each event's data: {\"commitments\": [...], \"metrics\": [...]}, and for assessment and status \"status\" and \"as_of\", for status \"previous_status\".",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}}
                  },
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/commitments/{key}/history": {
              "get": {
                "summary": "The commitment's status changes over time: its rows of headway.status_history, oldest first.",
                "operationId": "getCommitmentHistory",
                "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/Format"}],
                "responses": {
                  "200": {"description": "The changes.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/History"}}, "text/csv": {"schema": {"type": "string"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/metrics": {
              "get": {
                "summary": "Every metric, with how many figures it has, its latest period and the commitments on it.",
                "operationId": "listMetrics",
                "parameters": [{"$ref": "#/components/parameters/Format"}],
                "responses": {
                  "200": {"description": "The metrics, by key.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MetricList"}}, "text/csv": {"schema": {"type": "string"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/metrics/{key}/observations": {
              "get": {
                "summary": "A metric's figures with their sources: the current revision of each (headway.observation_current), or every revision (headway.observation_revisions).",
                "operationId": "listObservations",
                "parameters": [
                  {"name": "key", "in": "path", "required": true, "schema": {"type": "string"}},
                  {"name": "from", "in": "query", "description": "Figures whose period ends on or after this date (a period: its first day).", "schema": {"type": "string", "minLength": 1}},
                  {"name": "to", "in": "query", "description": "Figures whose period ends on or before this date (a period: its last day).", "schema": {"type": "string", "minLength": 1}},
                  {"name": "as_of", "in": "query", "description": "As published by this date (a period: its last day): later figures and revisions left out.", "schema": {"type": "string", "minLength": 1}},
                  {"name": "revisions", "in": "query", "description": "all: every revision, each with its number and publication date; current (the default): the revision current at as_of, or now.", "schema": {"type": "string", "enum": ["current", "all"]}},
                  {"$ref": "#/components/parameters/Format"}
                ],
                "responses": {
                  "200": {"description": "The figures, by period (and revision).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ObservationList"}}, "text/csv": {"schema": {"type": "string"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/metrics": {
              "get": {
                "summary": "Prometheus metrics (text format 0.0.4): requests by route, method and status; latency histogram by route; database pool connections.",
                "operationId": "prometheusMetrics",
                "responses": {"200": {"description": "The samples.", "content": {"text/plain": {"schema": {"type": "string"}}}}}
              }
            },
            "/api/v1/openapi.json": {
              "get": {
                "summary": "This document.",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}}}
              }
            },
            "/api/v1/observations": {
              "post": {
                "summary": "Load observations as headway load does: every row checked, all or nothing, identical figures unchanged, changed ones revisions; re-assesses what they touch.",
                "operationId": "loadObservations",
                "description": "With metric (or as application/vnd.sdmx.data+csv) the body is a publisher's file, imported as headway import does: SDMX-CSV, JSON-stat, ONS, FRED or World Bank, found from the content unless format names it (docs/FORMATS.md, \"Importing official statistics\"). A bad figure is named by its line, or for JSON by its path.",
                "security": [{"bearerToken": []}],
                "parameters": [
                  {"name": "metric", "in": "query", "description": "The metric a publisher's file gives the figures of.", "schema": {"type": "string"}},
                  {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["auto", "sdmx-csv", "json-stat", "ons", "fred", "worldbank"]}},
                  {"name": "where", "in": "query", "description": "DIMENSION=CODE: keep that series (repeatable).", "schema": {"type": "array", "items": {"type": "string"}}, "explode": true},
                  {"name": "frequency", "in": "query", "schema": {"type": "string", "enum": ["year", "quarter", "month", "week", "day"]}},
                  {"name": "published_on", "in": "query", "description": "When the figures were published, if the file does not say.", "schema": {"type": "string", "format": "date"}},
                  {"name": "source", "in": "query", "description": "The defined source of the figures.", "schema": {"type": "string"}}
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "text/csv": {"schema": {"type": "string", "description": "The observation CSV of docs/FORMATS.md, header row first; with metric, an ONS, FRED, World Bank or SDMX-CSV file."}},
                    "application/json": {"schema": {"oneOf": [
                      {"type": "array", "items": {"$ref": "#/components/schemas/ObservationRow"}},
                      {"type": "object", "description": "With metric: a JSON-stat dataset, FRED observations, an ONS time series or a World Bank response."}]}},
                    "application/vnd.sdmx.data+csv": {"schema": {"type": "string", "description": "SDMX-CSV 1.0 or 2.0; needs metric."}}
                  }
                },
                "responses": {
                  "200": {"description": "Loaded (or nothing to change).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LoadSummary"}}}},
                  "400": {"$ref": "#/components/responses/InvalidBody"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/definitions": {
              "post": {
                "summary": "Apply sources, metrics and commitments as headway apply does: one transaction, changed ones updated with their earlier version kept; re-assesses what they touch.",
                "operationId": "applyDefinitions",
                "security": [{"bearerToken": []}],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/yaml": {"schema": {"type": "string", "description": "Definitions as in docs/FORMATS.md."}},
                    "application/json": {"schema": {"type": "object"}}
                  }
                },
                "responses": {
                  "200": {"description": "Applied (or nothing to change).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApplySummary"}}}},
                  "400": {"$ref": "#/components/responses/InvalidBody"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/feeds/status.atom": {
              "get": {
                "summary": "Status changes as an Atom feed (RFC 4287): one entry per change in the retained event log, newest first, at most 100 (docs/API.md, Feeds).",
                "operationId": "getStatusFeed",
                "parameters": [
                  {"name": "tag", "in": "query", "description": "Only commitments with this tag.", "schema": {"type": "string", "minLength": 1}},
                  {"name": "commitment", "in": "query", "description": "Only this commitment (404 when there is none).", "schema": {"type": "string", "minLength": 1}}
                ],
                "responses": {
                  "200": {"description": "The feed; links are absolute, from --public-url or the Host.", "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/badges/{key}.svg": {
              "get": {
                "summary": "The commitment's stored status as a badge: status in words and mark, and the chance (docs/API.md, Embeds and badges).",
                "operationId": "getStatusBadge",
                "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                  "200": {"description": "The badge; Cache-Control: max-age=300.", "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
                  "404": {"description": "No such commitment: a badge saying so.", "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/commitments/{key}/chart.svg": {
              "get": {
                "summary": "The commitment's chart, assessed now, as an SVG document.",
                "operationId": "getCommitmentChart",
                "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                  "200": {"description": "The chart; Cache-Control: max-age=300.", "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/embed/commitments/{key}": {
              "get": {
                "summary": "The commitment's headline and chart as a page to put in an iframe; its frame-ancestors are --embed-origins, or any origin.",
                "operationId": "getCommitmentEmbed",
                "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                  "200": {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}},
                  "400": {"description": "A query parameter was given: an embed page saying so.", "content": {"text/html": {"schema": {"type": "string"}}}},
                  "404": {"description": "No such commitment: an embed page saying so.", "content": {"text/html": {"schema": {"type": "string"}}}},
                  "503": {"description": "The database cannot be reached: an embed page saying so.", "content": {"text/html": {"schema": {"type": "string"}}}}
                }
              }
            },
            "/api/v1/webhooks": {
              "get": {
                "summary": "The webhooks, as headway webhook list shows them (never a secret), disabled ones with the reason.",
                "operationId": "listWebhooks",
                "security": [{"bearerToken": []}],
                "responses": {
                  "200": {"description": "Every webhook, by id.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}}}},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              },
              "post": {
                "summary": "Add a webhook (Standard Webhooks: signed POSTs of the events); the answer carries its secret, the only time it is shown.",
                "operationId": "addWebhook",
                "security": [{"bearerToken": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewWebhook"}}}},
                "responses": {
                  "201": {
                    "description": "Added; it receives the events stored from now on.",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookWithSecret"}}}
                  },
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "413": {"$ref": "#/components/responses/TooLarge"},
                  "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/webhooks/{id}": {
              "parameters": [{"$ref": "#/components/parameters/WebhookId"}],
              "get": {
                "summary": "One webhook.",
                "operationId": "getWebhook",
                "security": [{"bearerToken": []}],
                "responses": {
                  "200": {"description": "The webhook.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Webhook"}}}},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              },
              "delete": {
                "summary": "Remove a webhook and its record of deliveries.",
                "operationId": "removeWebhook",
                "security": [{"bearerToken": []}],
                "responses": {
                  "204": {"description": "Removed."},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/webhooks/{id}/rotate-secret": {
              "parameters": [{"$ref": "#/components/parameters/WebhookId"}],
              "post": {
                "summary": "Give a webhook a new secret, returned this once; the old one signs nothing from now on.",
                "operationId": "rotateWebhookSecret",
                "security": [{"bearerToken": []}],
                "responses": {
                  "200": {
                    "description": "The new secret.",
                    "content": {"application/json": {"schema": {
                      "type": "object", "required": ["id", "secret"],
                      "properties": {"id": {"type": "integer"}, "secret": {"type": "string", "pattern": "^whsec_"}}
                    }}}
                  },
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/api/v1/webhooks/{id}/deliveries": {
              "parameters": [{"$ref": "#/components/parameters/WebhookId"}],
              "get": {
                "summary": "A webhook's latest deliveries, newest first, as headway webhook deliveries shows them.",
                "operationId": "listWebhookDeliveries",
                "security": [{"bearerToken": []}],
                "parameters": [
                  {"name": "failed", "in": "query", "description": "Only those not delivered after at least one attempt: being retried, or given up.", "schema": {"type": "boolean"}}
                ],
                "responses": {
                  "200": {"description": "Up to 100 deliveries.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookDelivery"}}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "403": {"$ref": "#/components/responses/Forbidden"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "bearerToken": {"type": "http", "scheme": "bearer", "description": "A token from headway token create: write for POST; read or write for reads when the server runs with --require-read-token."}
            },
            "parameters": {
              "WebhookId": {"name": "id", "in": "path", "required": true, "description": "The webhook's id (GET /api/v1/webhooks lists them).", "schema": {"type": "integer", "minimum": 1}},
              "Format": {"name": "format", "in": "query", "description": "json or csv; without it, CSV when Accept names text/csv before application/json. CSV: RFC 4180 with a header row of the JSON's columns; strings as they are, numbers, booleans and arrays as their JSON text, null an empty field, the empty string \"\".", "schema": {"type": "string", "enum": ["json", "csv"]}}
            },
            "responses": {
              "InvalidBody": {
                "description": "A row or definition is wrong; nothing was written. line (or row, for JSON rows) and column name the first problem, errors every one found.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/InvalidBodyProblem"}}}
              },
              "Unauthorized": {
                "description": "No token, or not a live one.",
                "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "Forbidden": {"description": "A read token where a write token is needed.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
              "TooLarge": {"description": "The body is larger than the server takes (--max-body); nothing was written.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
              "UnsupportedMediaType": {"description": "A Content-Type this resource does not take.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
              "BadRequest": {"description": "A parameter is wrong; detail says which.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
              "NotFound": {"description": "No such commitment, webhook or route.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
              "Unavailable": {
                "description": "The database cannot be reached or is not migrated; try again after Retry-After seconds.",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              }
            },
            "schemas": {
              "NewWebhook": {
                "type": "object", "required": ["url"], "additionalProperties": false,
                "properties": {
                  "url": {"type": "string", "description": "An http:// or https:// URL. Loopback and private-network addresses are refused unless allow_private."},
                  "events": {"type": "array", "items": {"type": "string", "enum": ["status", "assessment", "observations", "definitions"]}, "description": "Default: status."},
                  "tag": {"type": ["string", "null"], "description": "Only events about commitments with this tag."},
                  "commitment": {"type": ["string", "null"], "description": "Only events about this commitment."},
                  "description": {"type": ["string", "null"]},
                  "allow_private": {"type": "boolean", "default": false}
                }
              },
              "Webhook": {
                "type": "object",
                "required": ["id", "url", "events", "tag", "commitment", "description", "allow_private", "created_at", "disabled_at", "disabled_reason", "pending", "last_delivered_at"],
                "properties": {
                  "id": {"type": "integer"}, "url": {"type": "string"},
                  "events": {"type": "array", "items": {"type": "string", "enum": ["status", "assessment", "observations", "definitions"]}},
                  "tag": {"type": ["string", "null"]}, "commitment": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
                  "allow_private": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
                  "disabled_at": {"type": ["string", "null"], "format": "date-time"},
                  "disabled_reason": {"type": ["string", "null"], "description": "Why the hook was disabled: the retries ran out (over 24 hours), with the last error."},
                  "pending": {"type": "integer", "description": "Messages waiting to go out."},
                  "last_delivered_at": {"type": ["string", "null"], "format": "date-time"}
                }
              },
              "WebhookWithSecret": {
                "allOf": [{"$ref": "#/components/schemas/Webhook"}],
                "type": "object", "required": ["secret"],
                "properties": {"secret": {"type": "string", "pattern": "^whsec_", "description": "whsec_ and the base64 of the HMAC-SHA256 key, as Standard Webhooks' libraries take it."}}
              },
              "WebhookDelivery": {
                "type": "object",
                "required": ["webhook", "message_id", "event_id", "type", "commitment", "state", "attempts", "last_attempt_at", "last_status", "last_error", "next_attempt_at", "delivered_at"],
                "properties": {
                  "webhook": {"type": "integer"}, "message_id": {"type": "string", "description": "The webhook-id header, the same at every attempt."},
                  "event_id": {"type": "integer"}, "type": {"type": "string"}, "commitment": {"type": ["string", "null"]},
                  "state": {"type": "string", "enum": ["delivered", "pending", "failed"]}, "attempts": {"type": "integer"},
                  "last_attempt_at": {"type": ["string", "null"], "format": "date-time"}, "last_status": {"type": ["integer", "null"]},
                  "last_error": {"type": ["string", "null"]}, "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
                  "delivered_at": {"type": ["string", "null"], "format": "date-time"}
                }
              },
              "State": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
              "Problem": {
                "type": "object", "required": ["type", "title", "status", "detail"],
                "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "request_id": {"type": "string", "description": "The request's X-Request-Id."}}
              },
              "InvalidBodyProblem": {
                "allOf": [
                  {"$ref": "#/components/schemas/Problem"},
                  {
                    "type": "object",
                    "properties": {
                      "line": {"type": "integer"}, "row": {"type": "integer"}, "column": {"type": ["string", "null"]},
                      "errors": {"type": "array", "items": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}, "line": {"type": "integer"}, "row": {"type": "integer"}, "column": {"type": ["string", "null"]}}}}
                    }
                  }
                ]
              },
              "ObservationRow": {
                "type": "object", "additionalProperties": false, "required": ["metric", "period_end", "value"],
                "properties": {
                  "metric": {"type": "string"}, "period_start": {"type": ["string", "null"]}, "period_end": {"type": "string"},
                  "value": {"type": ["number", "string"]}, "qualifier": {"type": ["string", "null"]}, "source": {"type": ["string", "null"]},
                  "published_on": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}
                }
              },
              "LoadSummary": {
                "type": "object", "required": ["rows", "inserted", "unchanged", "revised", "rejected", "provenance_differs", "published_later"],
                "properties": {
                  "rows": {"type": "integer"}, "inserted": {"type": "integer"}, "unchanged": {"type": "integer"}, "revised": {"type": "integer"},
                  "rejected": {"type": "integer"}, "provenance_differs": {"type": "integer", "description": "Unchanged figures given with another note or source (provenance is not revised)."},
                  "published_later": {"type": "integer", "description": "Figures whose published_on is after today: loaded, but reports as of today leave them out."}
                }
              },
              "ApplySummary": {
                "type": "object", "required": ["created", "updated", "unchanged", "changes", "warnings"],
                "properties": {
                  "created": {"type": "integer"}, "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
                  "changes": {
                    "type": "array",
                    "items": {
                      "type": "object", "required": ["action", "kind", "key", "fields"],
                      "properties": {
                        "action": {"type": "string", "enum": ["created", "updated"]}, "kind": {"type": "string", "enum": ["source", "metric", "commitment"]},
                        "key": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}}
                      }
                    }
                  },
                  "warnings": {"type": "array", "items": {"type": "string"}}
                }
              },
              "Status": {"type": "string", "enum": ["achieved", "achieved_late", "missed", "awaiting_data", "on_track", "at_risk", "off_track", "not_started", "insufficient_data"]},
              "StatusFilter": {"type": "string", "enum": ["achieved", "achieved_late", "missed", "awaiting_data", "on_track", "at_risk", "off_track", "not_started", "insufficient_data", "unassessed"]},
              "Date": {"type": "string", "format": "date"},
              "NullableDate": {"type": ["string", "null"], "format": "date"},
              "NullableNumber": {"type": ["number", "null"]},
              "NullableInteger": {"type": ["integer", "null"]},
              "NullableString": {"type": ["string", "null"]},
              "CommitmentList": {
                "type": "object", "required": ["commitments", "next_cursor"],
                "properties": {
                  "commitments": {"type": "array", "items": {"$ref": "#/components/schemas/CommitmentStatus"}},
                  "next_cursor": {"type": ["string", "null"], "description": "Pass as cursor for the next page; null on the last."}
                }
              },
              "CommitmentStatus": {
                "type": "object",
                "description": "One row of headway.commitment_status (docs/SQL.md); the assessment fields are null until the commitment is assessed.",
                "required": ["key", "title", "metric", "unit", "kind", "tags", "status", "as_of", "baseline_date", "baseline_value", "target_value", "target_progress", "comparison", "deadline", "latest_date", "latest_value", "latest_qualifier", "progress", "percent_complete", "percent_time_elapsed", "achieved_on", "days_early", "average_per_day", "recent_per_day", "required_per_day", "required_from_now_per_day", "projection_method", "value_at_deadline", "value_at_deadline_low", "value_at_deadline_high", "completion_date", "completion_date_low", "completion_date_high", "schedule_variance_days", "method_version", "commitment_version", "assessed_at", "stale", "probability_met", "target_over"],
                "properties": {
                  "key": {"type": "string"}, "title": {"type": "string"}, "metric": {"type": "string"}, "unit": {"type": "string"},
                  "kind": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
                  "status": {"oneOf": [{"$ref": "#/components/schemas/Status"}, {"type": "null"}]},
                  "as_of": {"$ref": "#/components/schemas/NullableDate"},
                  "baseline_date": {"$ref": "#/components/schemas/NullableDate"}, "baseline_value": {"$ref": "#/components/schemas/NullableNumber"},
                  "target_value": {"$ref": "#/components/schemas/NullableNumber"}, "target_progress": {"$ref": "#/components/schemas/NullableNumber"},
                  "comparison": {"$ref": "#/components/schemas/NullableString"}, "deadline": {"$ref": "#/components/schemas/NullableDate"},
                  "latest_date": {"$ref": "#/components/schemas/NullableDate"}, "latest_value": {"$ref": "#/components/schemas/NullableNumber"},
                  "latest_qualifier": {"$ref": "#/components/schemas/NullableString"}, "progress": {"$ref": "#/components/schemas/NullableNumber"},
                  "percent_complete": {"$ref": "#/components/schemas/NullableNumber"}, "percent_time_elapsed": {"$ref": "#/components/schemas/NullableNumber"},
                  "achieved_on": {"$ref": "#/components/schemas/NullableDate"}, "days_early": {"$ref": "#/components/schemas/NullableInteger"},
                  "average_per_day": {"$ref": "#/components/schemas/NullableNumber"}, "recent_per_day": {"$ref": "#/components/schemas/NullableNumber"},
                  "required_per_day": {"$ref": "#/components/schemas/NullableNumber"}, "required_from_now_per_day": {"$ref": "#/components/schemas/NullableNumber"},
                  "projection_method": {"$ref": "#/components/schemas/NullableString"},
                  "value_at_deadline": {"$ref": "#/components/schemas/NullableNumber"}, "value_at_deadline_low": {"$ref": "#/components/schemas/NullableNumber"},
                  "value_at_deadline_high": {"$ref": "#/components/schemas/NullableNumber"},
                  "completion_date": {"$ref": "#/components/schemas/NullableDate"}, "completion_date_low": {"$ref": "#/components/schemas/NullableDate"},
                  "completion_date_high": {"$ref": "#/components/schemas/NullableDate"},
                  "schedule_variance_days": {"$ref": "#/components/schemas/NullableInteger"},
                  "method_version": {"$ref": "#/components/schemas/NullableString"}, "commitment_version": {"$ref": "#/components/schemas/NullableInteger"},
                  "assessed_at": {"type": ["string", "null"], "description": "A PostgreSQL timestamp with time zone."},
                  "stale": {"type": "boolean", "description": "The stored assessment predates the definition or the latest figures."},
                  "probability_met": {"$ref": "#/components/schemas/NullableNumber"},
                  "target_over": {"type": ["string", "null"], "enum": ["period", "year", "quarter", "month", null], "description": "What the target is counted over: the period itself, or a trailing year, quarter or month; null when progress accumulates from the baseline."}
                }
              },
              "Assessment": {
                "type": "object",
                "description": "The JSON report's per-commitment object (docs/FORMATS.md).",
                "required": ["key", "title", "metric", "unit", "kind", "status", "as_of", "baseline", "target", "deadline", "latest", "progress", "percent_complete", "percent_time_elapsed", "achieved_on", "days_early", "pace", "projection", "probability_met", "reason", "schedule_variance_days", "series", "figures"],
                "properties": {
                  "key": {"type": "string"}, "title": {"type": "string"}, "metric": {"type": "string"}, "unit": {"type": "string"},
                  "kind": {"type": "string"}, "status": {"$ref": "#/components/schemas/Status"}, "as_of": {"$ref": "#/components/schemas/Date"},
                  "baseline": {"type": "object", "required": ["date", "value"], "properties": {"date": {"$ref": "#/components/schemas/Date"}, "value": {"$ref": "#/components/schemas/NullableNumber"}}},
                  "target": {
                    "type": "object", "required": ["value", "progress", "comparison", "over"],
                    "properties": {"value": {"$ref": "#/components/schemas/NullableNumber"}, "progress": {"$ref": "#/components/schemas/NullableNumber"}, "comparison": {"type": "string", "enum": ["at_least", "at_most"]},
                      "over": {"type": ["string", "null"], "enum": ["period", "year", "quarter", "month", null], "description": "What the target is counted over (docs/FORMATS.md): the period itself, or a trailing year, quarter or month; null when progress accumulates from the baseline."}}
                  },
                  "deadline": {"$ref": "#/components/schemas/Date"},
                  "latest": {
                    "type": ["object", "null"], "required": ["date", "value", "qualifier", "derived_from"],
                    "properties": {
                      "date": {"$ref": "#/components/schemas/Date"}, "value": {"type": "number"}, "qualifier": {"type": "string"},
                      "derived_from": {"type": "array", "items": {"type": "string"}}
                    }
                  },
                  "progress": {"$ref": "#/components/schemas/NullableNumber"},
                  "percent_complete": {"$ref": "#/components/schemas/NullableNumber"}, "percent_time_elapsed": {"$ref": "#/components/schemas/NullableNumber"},
                  "achieved_on": {"$ref": "#/components/schemas/NullableDate"}, "days_early": {"$ref": "#/components/schemas/NullableInteger"},
                  "pace": {
                    "type": "object", "required": ["average_per_day", "recent_per_day", "required_per_day", "required_from_now_per_day"],
                    "properties": {
                      "average_per_day": {"$ref": "#/components/schemas/NullableNumber"}, "recent_per_day": {"$ref": "#/components/schemas/NullableNumber"},
                      "required_per_day": {"$ref": "#/components/schemas/NullableNumber"}, "required_from_now_per_day": {"$ref": "#/components/schemas/NullableNumber"}
                    }
                  },
                  "projection": {
                    "type": "object",
                    "required": ["method", "value_at_deadline", "value_at_deadline_low", "value_at_deadline_high", "completion_date", "completion_date_low", "completion_date_high"],
                    "properties": {
                      "method": {"type": "string"},
                      "value_at_deadline": {"$ref": "#/components/schemas/NullableNumber"}, "value_at_deadline_low": {"$ref": "#/components/schemas/NullableNumber"},
                      "value_at_deadline_high": {"$ref": "#/components/schemas/NullableNumber"},
                      "completion_date": {"$ref": "#/components/schemas/NullableDate"}, "completion_date_low": {"$ref": "#/components/schemas/NullableDate"},
                      "completion_date_high": {"$ref": "#/components/schemas/NullableDate"}
                    }
                  },
                  "probability_met": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                  "reason": {"$ref": "#/components/schemas/NullableString"},
                  "schedule_variance_days": {"$ref": "#/components/schemas/NullableInteger"},
                  "series": {
                    "type": "array",
                    "items": {
                      "type": "object", "required": ["date", "progress", "qualifier", "trajectory", "derived_from"],
                      "properties": {
                        "date": {"$ref": "#/components/schemas/Date"}, "progress": {"$ref": "#/components/schemas/NullableNumber"},
                        "qualifier": {"$ref": "#/components/schemas/NullableString"}, "trajectory": {"$ref": "#/components/schemas/NullableNumber"},
                        "derived_from": {"type": "array", "description": "The published figures the progress was derived from, as `ref`s of `figures` (a leading - for one subtracted); none where the point only draws the plan.", "items": {"type": "string"}}
                      }
                    }
                  },
                  "figures": {"type": "array", "description": "Every figure the series and latest are derived from, once, by period.", "items": {"$ref": "#/components/schemas/PointFigure"}}
                }
              },
              "Counts": {
                "type": "object", "required": ["total", "by_status"],
                "properties": {
                  "total": {"type": "integer"},
                  "by_status": {"type": "object", "description": "Every status of StatusFilter, 0 where none.", "additionalProperties": {"type": "integer"}}
                }
              },
              "Summary": {
                "allOf": [
                  {"$ref": "#/components/schemas/Counts"},
                  {"type": "object", "required": ["by_tag"], "properties": {"by_tag": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Counts"}}}}
                ]
              },
              "PointFigure": {
                "type": "object", "required": ["ref", "period_start", "period_end", "value", "qualifier", "published_on", "revision", "source", "note"],
                "properties": {
                  "ref": {"type": "string", "description": "How derived_from names it: period_start..period_end#revision."},
                  "period_start": {"$ref": "#/components/schemas/NullableDate"}, "period_end": {"$ref": "#/components/schemas/Date"},
                  "value": {"type": "number"}, "qualifier": {"type": "string"}, "published_on": {"$ref": "#/components/schemas/Date"},
                  "revision": {"type": "integer", "minimum": 1},
                  "source": {"type": ["object", "null"], "required": ["key", "title", "url"], "properties": {"key": {"type": "string"}, "title": {"type": "string"}, "url": {"type": ["string", "null"]}}},
                  "note": {"$ref": "#/components/schemas/NullableString"}
                }
              },
              "History": {
                "type": "object", "required": ["history", "key"],
                "properties": {
                  "key": {"type": "string"},
                  "history": {"type": "array", "items": {
                    "type": "object", "description": "One row of headway.status_history (docs/SQL.md).",
                    "required": ["time", "commitment_key", "as_of", "status", "previous_status", "progress", "percent_complete", "commitment_version", "method_version", "assessed_at"],
                    "properties": {
                      "time": {"type": "string", "description": "The as-of date at midnight UTC, a PostgreSQL timestamp with time zone."},
                      "commitment_key": {"type": "string"}, "as_of": {"$ref": "#/components/schemas/Date"},
                      "status": {"$ref": "#/components/schemas/Status"}, "previous_status": {"oneOf": [{"$ref": "#/components/schemas/Status"}, {"type": "null"}]},
                      "progress": {"$ref": "#/components/schemas/NullableNumber"}, "percent_complete": {"$ref": "#/components/schemas/NullableNumber"},
                      "commitment_version": {"type": "integer"}, "method_version": {"type": "string"}, "assessed_at": {"type": "string"}
                    }
                  }}
                }
              },
              "MetricList": {
                "type": "object", "required": ["metrics"],
                "properties": {"metrics": {"type": "array", "items": {
                  "type": "object",
                  "required": ["key", "name", "unit", "kind", "figures", "revisions", "latest_period_end", "latest_published_on", "commitments"],
                  "properties": {
                    "key": {"type": "string"}, "name": {"type": "string"}, "unit": {"type": "string"}, "kind": {"type": "string", "enum": ["additive", "level"]},
                    "figures": {"type": "integer", "description": "Figures (current revisions)."}, "revisions": {"type": "integer", "description": "Rows, every revision counted."},
                    "latest_period_end": {"$ref": "#/components/schemas/NullableDate"}, "latest_published_on": {"$ref": "#/components/schemas/NullableDate"},
                    "commitments": {"type": "array", "items": {"type": "string"}}
                  }
                }}}
              },
              "ObservationList": {
                "type": "object", "required": ["observations", "metric"],
                "properties": {
                  "metric": {"type": "string"},
                  "observations": {"type": "array", "items": {
                    "type": "object", "description": "One row of headway.observation_current (docs/SQL.md).",
                    "required": ["metric", "period_start", "period_end", "value", "qualifier", "published_on", "revision", "source", "source_title", "source_publisher", "source_url", "note", "recorded_at"],
                    "properties": {
                      "metric": {"type": "string"}, "period_start": {"$ref": "#/components/schemas/NullableDate"}, "period_end": {"$ref": "#/components/schemas/Date"},
                      "value": {"type": "number"}, "qualifier": {"type": "string", "enum": ["exact", "about", "at_least", "at_most"]},
                      "published_on": {"$ref": "#/components/schemas/Date"}, "revision": {"type": "integer", "minimum": 1},
                      "source": {"$ref": "#/components/schemas/NullableString"}, "source_title": {"$ref": "#/components/schemas/NullableString"},
                      "source_publisher": {"$ref": "#/components/schemas/NullableString"}, "source_url": {"$ref": "#/components/schemas/NullableString"},
                      "note": {"$ref": "#/components/schemas/NullableString"}, "recorded_at": {"type": "string"}
                    }
                  }}
                }
              }
            }
          }
        }
        """#
}
