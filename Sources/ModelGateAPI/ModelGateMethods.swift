/// The full method names of every call, as sent in ``CallHeaders/method`` and registered
/// with the router: `"/modelgate.v1.<Service>/<Method>"`.
public enum ModelGateMethods {
    /// `modelgate.v1.IdentityService`: signs principals in and manages principals and their roles.
    public enum Identity {
        public static let signIn = "/modelgate.v1.IdentityService/SignIn"
        public static let createPrincipal = "/modelgate.v1.IdentityService/CreatePrincipal"
        public static let getPrincipal = "/modelgate.v1.IdentityService/GetPrincipal"
        public static let listPrincipals = "/modelgate.v1.IdentityService/ListPrincipals"
        public static let deletePrincipal = "/modelgate.v1.IdentityService/DeletePrincipal"
        public static let assignRole = "/modelgate.v1.IdentityService/AssignRole"
        public static let removeRole = "/modelgate.v1.IdentityService/RemoveRole"
        public static let listRoleAssignments = "/modelgate.v1.IdentityService/ListRoleAssignments"
    }

    /// `modelgate.v1.WorkspaceService`: manages workspaces, the regions they live in, and their compute targets.
    public enum Workspace {
        public static let createWorkspace = "/modelgate.v1.WorkspaceService/CreateWorkspace"
        public static let getWorkspace = "/modelgate.v1.WorkspaceService/GetWorkspace"
        public static let listWorkspaces = "/modelgate.v1.WorkspaceService/ListWorkspaces"
        public static let deleteWorkspace = "/modelgate.v1.WorkspaceService/DeleteWorkspace"
        public static let listRegions = "/modelgate.v1.WorkspaceService/ListRegions"
        public static let setRegionAvailability = "/modelgate.v1.WorkspaceService/SetRegionAvailability"
        public static let setRegionLatency = "/modelgate.v1.WorkspaceService/SetRegionLatency"
        public static let attachCompute = "/modelgate.v1.WorkspaceService/AttachCompute"
        public static let getCompute = "/modelgate.v1.WorkspaceService/GetCompute"
        public static let listComputes = "/modelgate.v1.WorkspaceService/ListComputes"
        public static let detachCompute = "/modelgate.v1.WorkspaceService/DetachCompute"
    }

    /// `modelgate.v1.ModelService`: registers models and the environments their scoring code runs in.
    public enum Model {
        public static let registerModel = "/modelgate.v1.ModelService/RegisterModel"
        public static let getModel = "/modelgate.v1.ModelService/GetModel"
        public static let listModels = "/modelgate.v1.ModelService/ListModels"
        public static let deleteModel = "/modelgate.v1.ModelService/DeleteModel"
        public static let registerEnvironment = "/modelgate.v1.ModelService/RegisterEnvironment"
        public static let getEnvironment = "/modelgate.v1.ModelService/GetEnvironment"
        public static let listEnvironments = "/modelgate.v1.ModelService/ListEnvironments"
    }

    /// `modelgate.v1.DeploymentService`: deploys models as web services and endpoints, and manages them.
    public enum Deployment {
        public static let deploy = "/modelgate.v1.DeploymentService/Deploy"
        public static let waitForDeployment = "/modelgate.v1.DeploymentService/WaitForDeployment"
        public static let getService = "/modelgate.v1.DeploymentService/GetService"
        public static let listServices = "/modelgate.v1.DeploymentService/ListServices"
        public static let updateService = "/modelgate.v1.DeploymentService/UpdateService"
        public static let deleteService = "/modelgate.v1.DeploymentService/DeleteService"
        public static let getLogs = "/modelgate.v1.DeploymentService/GetLogs"
        public static let createEndpoint = "/modelgate.v1.DeploymentService/CreateEndpoint"
        public static let getEndpoint = "/modelgate.v1.DeploymentService/GetEndpoint"
        public static let listEndpoints = "/modelgate.v1.DeploymentService/ListEndpoints"
        public static let updateEndpoint = "/modelgate.v1.DeploymentService/UpdateEndpoint"
        public static let deleteEndpoint = "/modelgate.v1.DeploymentService/DeleteEndpoint"
        public static let createEndpointVersion = "/modelgate.v1.DeploymentService/CreateEndpointVersion"
        public static let updateEndpointVersion = "/modelgate.v1.DeploymentService/UpdateEndpointVersion"
        public static let deleteEndpointVersion = "/modelgate.v1.DeploymentService/DeleteEndpointVersion"
        public static let getCollectedData = "/modelgate.v1.DeploymentService/GetCollectedData"
    }

    /// `modelgate.v1.AuthService`: hands out and rotates the credentials that scoring calls carry.
    public enum Auth {
        public static let getKeys = "/modelgate.v1.AuthService/GetKeys"
        public static let regenKey = "/modelgate.v1.AuthService/RegenKey"
        public static let getToken = "/modelgate.v1.AuthService/GetToken"
        public static let getSigningKeys = "/modelgate.v1.AuthService/GetSigningKeys"
    }

    /// `modelgate.v1.ScoringService`: sends scoring requests to deployed services and reports health.
    public enum Scoring {
        public static let health = "/modelgate.v1.ScoringService/Health"
        public static let score = "/modelgate.v1.ScoringService/Score"
        public static let scoreStream = "/modelgate.v1.ScoringService/ScoreStream"
    }
}
