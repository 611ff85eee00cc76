#include "server/md_routes.h"

#include <charconv>
#include <optional>

#include "base/strings.h"

namespace ads::server {
namespace {

using catalog::Resource;
using serving::DeploymentService;
using serving::Started;

constexpr std::string_view kType = iam::kModelDeployments;

RouteHandler Wrap(RouteHandler handler) {
  return [handler = std::move(handler)](Call& call) -> Status {
    Status status = handler(call);
    if (catalog::IsEtagMismatch(status)) return OciError(412, "NoEtagMatch", status.message());
    return status;
  };
}

RouteOptions JsonBody() { return RouteOptions{.body = BodyKind::kJson}; }

Result<int> IntParam(const Call& call, std::string_view name, int fallback) {
  std::optional<std::string> text = call.request.QueryParam(name);
  if (!text) return fallback;
  int n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return InvalidArgumentError(std::string(name) + " must be an integer.");
  }
  return n;
}

// The deployment named by the path, if the caller may `verb` it.
Result<Resource> Authorized(Call& call, DeploymentService& d, iam::Verb verb) {
  ADS_ASSIGN_OR_RETURN(Resource r, d.Get(call.Param("modelDeploymentId")));
  ADS_RETURN_IF_ERROR(call.Authorize(verb, kType, StringMemberOr(r.doc, "compartmentId")));
  return r;
}

// Long actions answer 202 with the work request; create answers 200 with
// the deployment too, as OCI does.
void ReplyStarted(Call& call, int status, const Started& started, bool with_body) {
  call.response.headers["opc-work-request-id"] = started.work_request_id;
  if (with_body) {
    call.response.headers["etag"] = started.resource.etag;
    call.ReplyJson(status, started.resource.doc);
  } else {
    call.response.status = status;
    call.response.body.clear();
  }
}

// The model a create or update names must be one the caller can read; a
// model they cannot read is reported like a missing one.
Status AuthorizeModel(Call& call, catalog::Catalog& c, const Json& details) {
  const Json* config = FindMember(details, "modelDeploymentConfigurationDetails");
  const Json* model =
      config && config->is_object() ? FindMember(*config, "modelConfigurationDetails") : nullptr;
  const std::string model_id = model && model->is_object() ? StringMemberOr(*model, "modelId") : "";
  if (model_id.empty()) return OkStatus();  // the service names what is missing
  Result<Resource> m = c.GetModel(model_id);
  if (!m.ok() || !call.Authorize(iam::Verb::kRead, iam::kModels,
                                 StringMemberOr(m->doc, "compartmentId"))
                      .ok()) {
    return InvalidArgumentError("modelId " + Quoted(model_id) + " names no model.");
  }
  return OkStatus();
}

}  // namespace

void AddModelDeploymentRoutes(Router& r, DeploymentService& d, catalog::Catalog& c) {
  const std::string base = "/20190101/modelDeployments";
  const std::string one = base + "/{modelDeploymentId}";

  r.Add("POST", base, JsonBody(), Wrap([&d, &c](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          const std::string compartment = StringMemberOr(details, "compartmentId");
          if (compartment.empty()) return InvalidArgumentError("compartmentId is required.");
          if (call.access && !call.access->CompartmentExists(compartment)) {
            return NotFoundError("Authorization failed or requested resource not found.");
          }
          ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kManage, kType, compartment));
          ADS_RETURN_IF_ERROR(AuthorizeModel(call, c, details));
          ADS_ASSIGN_OR_RETURN(
              Started s, d.Create(details, {call.principal.id,
                                            std::string(call.request.Header("opc-retry-token"))}));
          ReplyStarted(call, 200, s, true);
          return OkStatus();
        }));

  r.Add("GET", base, {}, Wrap([&d](Call& call) -> Status {
          catalog::ListQuery query;
          query.compartment_id = call.request.QueryParam("compartmentId").value_or("");
          if (query.compartment_id.empty()) return InvalidArgumentError("compartmentId is required.");
          ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kInspect, kType, query.compartment_id));
          for (const char* name : {"projectId", "lifecycleState", "displayName", "id", "createdBy"}) {
            if (std::optional<std::string> v = call.request.QueryParam(name)) query.filters[name] = *v;
          }
          ADS_ASSIGN_OR_RETURN(query.limit, IntParam(call, "limit", 100));
          query.page = call.request.QueryParam("page").value_or("");
          query.sort_by = call.request.QueryParam("sortBy").value_or("timeCreated");
          query.sort_order = call.request.QueryParam("sortOrder").value_or("");
          ADS_ASSIGN_OR_RETURN(catalog::Page page, d.List(query));
          if (!page.next_page.empty()) call.response.headers["opc-next-page"] = page.next_page;
          call.ReplyJson(200, Json(page.items));
          return OkStatus();
        }));

  r.Add("GET", one, {}, Wrap([&d](Call& call) -> Status {
          ADS_ASSIGN_OR_RETURN(Resource md, Authorized(call, d, iam::Verb::kRead));
          call.response.headers["etag"] = md.etag;
          call.ReplyJson(200, md.doc);
          return OkStatus();
        }));

  r.Add("PUT", one, JsonBody(), Wrap([&d, &c](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, d, iam::Verb::kManage).status());
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          ADS_RETURN_IF_ERROR(AuthorizeModel(call, c, details));
          ADS_ASSIGN_OR_RETURN(Started s,
                               d.Update(call.Param("modelDeploymentId"), details, call.IfMatch()));
          ReplyStarted(call, 202, s, false);
          return OkStatus();
        }));

  r.Add("DELETE", one, {}, Wrap([&d](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, d, iam::Verb::kManage).status());
          ADS_ASSIGN_OR_RETURN(Started s, d.Delete(call.Param("modelDeploymentId"), call.IfMatch()));
          ReplyStarted(call, 202, s, false);
          return OkStatus();
        }));

  for (const bool activate : {true, false}) {
    // The SDKs send these with no body or an empty one.
    r.Add("POST", one + (activate ? "/actions/activate" : "/actions/deactivate"), JsonBody(),
          Wrap([&d, activate](Call& call) -> Status {
            ADS_RETURN_IF_ERROR(Authorized(call, d, iam::Verb::kManage).status());
            const std::string& id = call.Param("modelDeploymentId");
            ADS_ASSIGN_OR_RETURN(Started s, activate ? d.Activate(id, call.IfMatch())
                                                     : d.Deactivate(id, call.IfMatch()));
            ReplyStarted(call, 202, s, false);
            return OkStatus();
          }));
  }

  r.Add("POST", one + "/actions/changeCompartment", JsonBody(),
        Wrap([&d](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, d, iam::Verb::kManage).status());
          ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
          const std::string target = StringMemberOr(details, "compartmentId");
          if (target.empty()) return InvalidArgumentError("compartmentId is required.");
          if (call.access && !call.access->CompartmentExists(target)) {
            return NotFoundError("Authorization failed or requested resource not found.");
          }
          ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kManage, kType, target));
          ADS_ASSIGN_OR_RETURN(Started s, d.ChangeCompartment(call.Param("modelDeploymentId"),
                                                              target, call.IfMatch()));
          ReplyStarted(call, 202, s, false);
          return OkStatus();
        }));

  r.Add("GET", one + "/logs", {}, Wrap([&d](Call& call) -> Status {
          ADS_RETURN_IF_ERROR(Authorized(call, d, iam::Verb::kRead).status());
          const std::string type = call.request.QueryParam("type").value_or("access");
          if (type != "access" && type != "predict") {
            return InvalidArgumentError("type must be access or predict (it is " + Quoted(type) +
                                        ").");
          }
          ADS_ASSIGN_OR_RETURN(int tail, IntParam(call, "tail", 100));
          ADS_ASSIGN_OR_RETURN(
              std::vector<std::string> lines,
              d.ReadLog(call.Param("modelDeploymentId"),
                        type == "access" ? serving::LogType::kAccess : serving::LogType::kPredict,
                        tail));
          Json out = Json::array();
          for (const std::string& line : lines) {
            // Each line is a JSON object the endpoint wrote; a torn last line
            // (a crash mid-write) is passed on as text.
            Result<Json> parsed = ParseJson(line, "log line");
            out.push_back(parsed.ok() ? *parsed : Json(line));
          }
          call.ReplyJson(200, out);
          return OkStatus();
        }));
}

}  // namespace ads::server
