// The OCI Data Science (20190101) model deployment routes over
// serving::DeploymentService:
//
//   POST   /20190101/modelDeployments                          create (200 + opc-work-request-id)
//   GET    /20190101/modelDeployments?compartmentId=...         list (bare array, opc-next-page)
//   GET    /20190101/modelDeployments/{id}                     get (etag)
//   PUT    /20190101/modelDeployments/{id}                     update (202 + opc-work-request-id)
//   DELETE /20190101/modelDeployments/{id}                     delete (202 + opc-work-request-id)
//   POST   /20190101/modelDeployments/{id}/actions/activate    (202 + opc-work-request-id)
//   POST   /20190101/modelDeployments/{id}/actions/deactivate  (202 + opc-work-request-id)
//   POST   /20190101/modelDeployments/{id}/actions/changeCompartment
//   GET    /20190101/modelDeployments/{id}/logs?type=access|predict&tail=N
//          (not an OCI route: the access or predict log lines, oldest first, as
//          a JSON array, for `ads model-deployment logs`)
//
// Authorisation is on `data-science-model-deployments` in the deployment's
// compartment (inspect to list, read to get and read logs, manage for the
// rest); a create also needs `read data-science-models` on the model. A
// refusal answers exactly like a missing resource (404
// NotAuthorizedOrNotFound). `if-match` mismatches are 412 NoEtagMatch; a
// move the state machine refuses is 409 IncorrectState naming the state.
// The work requests are catalog work requests (GET /20190101/workRequests).
//
//   AddModelDeploymentRoutes(router, *deployments, *catalog);
//
// Thread-safety: as thread-safe as the DeploymentService (which is).
#ifndef ADS_SERVER_MD_ROUTES_H_
#define ADS_SERVER_MD_ROUTES_H_

#include "catalog/catalog.h"
#include "server/api.h"
#include "serving/deployment_service.h"

namespace ads::server {

void AddModelDeploymentRoutes(Router& router, serving::DeploymentService& deployments,
                              catalog::Catalog& catalog);

}  // namespace ads::server

#endif  // ADS_SERVER_MD_ROUTES_H_
