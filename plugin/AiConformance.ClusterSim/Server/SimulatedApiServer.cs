using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Discovery;
using AiConformance.ClusterSim.OpenApi;
using AiConformance.ClusterSim.Rbac;
using AiConformance.ClusterSim.Store;
using AiConformance.ClusterSim.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiConformance.ClusterSim.Server;

/// <summary>Which credentials a written kubeconfig carries.</summary>
public enum KubeconfigIdentity { Admin, Plugin }

/// <summary>
/// The simulated kube-apiserver: the Kubernetes REST protocol over HTTPS on a loopback port, backed by an in-memory
/// store, with discovery, OpenAPI, schema validation, RBAC for the plugin's ServiceAccount, and injectable faults.
/// </summary>
public sealed class SimulatedApiServer : IAsyncDisposable
{
    private static readonly string[] DefaultNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    private readonly WebApplication _app;
    private readonly ApiHandler _handler;
    private readonly RbacAuthorizer _authorizer;
    private readonly AccessReviews _reviews;
    private readonly FaultInjector _faults;
    private readonly SchemaValidator _validator;
    private readonly OpenApiDocuments _openApi;
    private readonly SimulatedApiServerOptions _options;
    private readonly string _adminToken = "admin-" + Guid.NewGuid().ToString("N");
    private readonly string _pluginToken = "plugin-" + Guid.NewGuid().ToString("N");
    private DiscoveryDocuments _discovery = null!;

    private SimulatedApiServer(SimulatedApiServerOptions options, WebApplication app)
    {
        _options = options;
        _app = app;
        ResourceCatalog = new ResourceCatalog(options.KubernetesVersion, options.EnabledAlphaGroupVersions);
        var schemas = new SchemaResolver(ResourceCatalog.Swagger);
        _validator = new SchemaValidator(schemas);
        var admission = new ApiAdmission(ResourceCatalog, _validator);
        var store = new ClusterStore(admission, options.WatchHistoryLimit);
        admission.Store = store;
        _authorizer = new RbacAuthorizer(store);
        store.Committed += change =>
        {
            if (change.Kind.Group == RbacAuthorizer.Group) _authorizer.Invalidate();
            if (change.Kind.Group != ResourceCatalog.CustomResourceDefinitions.Group || change.Kind.Plural != ResourceCatalog.CustomResourceDefinitions.Plural) return;
            if (change.Type != StoreEventType.Deleted)
            {
                ResourceCatalog.ApplyCrd(change.Object);
                return;
            }
            var served = ResourceCatalog.All.Where(r => r.IsCustomResource && $"{r.Kind.Plural}.{r.Kind.Group}" == change.Object.Name()).ToList();
            ResourceCatalog.RemoveCrd(change.Object.Name());
            // The apiextensions finalizer removes the custom objects once their definition is gone.
            if (served.Count > 0)
                _ = Task.Run(() =>
                {
                    foreach (var item in store.List(served[0].Kind)) store.Delete(served[0].Kind, item.Namespace(), item.Name());
                });
        };
        Store = store;
        _handler = new ApiHandler(ResourceCatalog, store, schemas, admission) { Logs = options.LogProvider, Escalation = new EscalationPrevention(_authorizer, store) };
        _reviews = new AccessReviews(_authorizer);
        _faults = new FaultInjector(options.Faults);
        _openApi = new OpenApiDocuments(ResourceCatalog);
        var (saNamespace, saName) = SplitServiceAccount(options.PluginServiceAccount);
        PluginIdentity = Identity.ServiceAccount(saNamespace, saName);
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>The PEM of the self-signed serving certificate, which clients trust as the cluster's CA.</summary>
    public string CertificateAuthorityPem { get; private init; } = "";

    /// <summary>The store behind the API; behaviours work through it as privileged controllers (no RBAC, no faults).</summary>
    public ClusterStore Store { get; }

    public ResourceCatalog ResourceCatalog { get; }

    public RequestStatistics RequestStatistics { get; } = new();

    public Identity PluginIdentity { get; }

    /// <summary>Fields that a real server would have dropped, seen in any write so far.</summary>
    public IReadOnlyList<FidelityViolation> FidelityViolations => _validator.Violations;

    /// <summary>How <c>pods/proxy</c> reaches a pod; the simulation host connects it to the pod network.</summary>
    public PodProxy? PodProxy
    {
        get => _handler.PodProxy;
        set => _handler.PodProxy = value;
    }

    /// <summary>How admission webhooks are reached; the simulation host connects it to the pod network.</summary>
    public ServiceConnector? WebhookConnector
    {
        get => _handler.Webhooks.Connect;
        set => _handler.Webhooks.Connect = value;
    }

    /// <summary>
    /// Runs a create's admission webhooks on an object a controller is about to write, as its request to this server
    /// would (mutating ones may change <paramref name="obj"/>; a denial or failed call throws <see cref="Api.StatusException"/>).
    /// </summary>
    public Task AdmitCreationAsync(Store.ResourceKind kind, System.Text.Json.Nodes.JsonObject obj, CancellationToken cancellation) =>
        _handler.AdmitCreationAsync(kind, obj, dryRun: false, cancellation);

    /// <summary>How <c>pods/exec</c> runs a command in a container; the simulation host connects it to the kubelets.</summary>
    public PodExec? PodExec
    {
        get => _handler.PodExec;
        set => _handler.PodExec = value;
    }

    /// <summary>How <c>pods/attach</c> reaches a container's main process; the simulation host connects it to the kubelets.</summary>
    public PodAttach? PodAttach
    {
        get => _handler.PodAttach;
        set => _handler.PodAttach = value;
    }

    /// <summary>How <c>pods/portforward</c> reaches a pod's port; the simulation host connects it to the pod network.</summary>
    public PodPortConnector? PodPortConnector
    {
        get => _handler.PodPortConnector;
        set => _handler.PodPortConnector = value;
    }

    /// <summary>Where <c>pods/log</c> reads container output; the kubelet behaviour sets it.</summary>
    public PodLogProvider? LogProvider
    {
        get => _handler.Logs;
        set => _handler.Logs = value;
    }

    /// <summary>
    /// Starts a server on a free loopback port. Bad options (unknown version, missing manifest files, refused CRDs)
    /// throw an <see cref="ArgumentException"/> whose message says what to change.
    /// </summary>
    public static async Task<SimulatedApiServer> StartAsync(SimulatedApiServerOptions options, CancellationToken cancellation)
    {
        SwaggerDocuments.Normalize(options.KubernetesVersion);
        var certificate = ServingCertificate.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var server = new SimulatedApiServer(options, app) { CertificateAuthorityPem = ServingCertificate.Pem(certificate) };
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellation);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.Replace("[::1]", "127.0.0.1").TrimEnd('/');
        server._discovery = new DiscoveryDocuments(server.ResourceCatalog, new Uri(server.BaseUrl).Authority);
        try
        {
            server.Bootstrap();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Installs CustomResourceDefinitions from manifest text (YAML, multi-document); returns their names.</summary>
    public IReadOnlyList<string> InstallCrds(string manifests)
    {
        var names = new List<string>();
        foreach (var document in YamlJson.ParseAll(manifests).OfType<JsonObject>())
        {
            if (document.Str("kind") != "CustomResourceDefinition") continue;
            Store.Delete(ResourceCatalog.CustomResourceDefinitions, null, document.Name());
            names.Add(Store.Create(ResourceCatalog.CustomResourceDefinitions, document).Name());
        }
        return names;
    }

    public IReadOnlyList<string> InstallCrdFile(string path)
    {
        if (!File.Exists(path))
            throw new ArgumentException($"CRD manifest '{path}' does not exist; give a YAML file of CustomResourceDefinitions or an embedded folder ({string.Join(", ", EmbeddedCrds.Folders())}).");
        try
        {
            return InstallCrds(File.ReadAllText(path));
        }
        catch (StatusException error)
        {
            throw new ArgumentException($"CRD manifest '{path}' was refused: {error.Message}", error);
        }
    }

    /// <summary>Writes a kubeconfig for this server with the admin's or the plugin ServiceAccount's token.</summary>
    public void WriteKubeconfig(string path, KubeconfigIdentity identity = KubeconfigIdentity.Plugin, string defaultNamespace = "default")
    {
        var user = identity == KubeconfigIdentity.Admin ? "admin" : "ai-conformance";
        var token = identity == KubeconfigIdentity.Admin ? _adminToken : _pluginToken;
        var text = new StringBuilder()
            .AppendLine("apiVersion: v1")
            .AppendLine("kind: Config")
            .AppendLine("clusters:")
            .AppendLine("- name: simulated")
            .AppendLine("  cluster:")
            .AppendLine($"    server: {BaseUrl}")
            .AppendLine($"    certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(CertificateAuthorityPem))}")
            .AppendLine("contexts:")
            .AppendLine($"- name: simulated-{user}")
            .AppendLine("  context:")
            .AppendLine("    cluster: simulated")
            .AppendLine($"    user: {user}")
            .AppendLine($"    namespace: {defaultNamespace}")
            .AppendLine($"current-context: simulated-{user}")
            .AppendLine("users:")
            .AppendLine($"- name: {user}")
            .AppendLine("  user:")
            .AppendLine($"    token: {token}")
            .ToString();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, text);
    }

    /// <summary>An HttpClient for raw calls to this server as the given identity (trusting its serving certificate).</summary>
    public HttpClient CreateHttpClient(KubeconfigIdentity identity = KubeconfigIdentity.Plugin)
    {
        var authority = X509Certificate2.CreateFromPem(CertificateAuthorityPem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == authority.Thumbprint,
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", identity == KubeconfigIdentity.Admin ? _adminToken : _pluginToken);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private void Bootstrap()
    {
        foreach (var ns in DefaultNamespaces) EnsureNamespace(ns);
        foreach (var (name, (value, description)) in PriorityAdmission.SystemClasses)
            Store.Create(PriorityAdmission.PriorityClasses, new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name },
                ["value"] = value,
                ["description"] = description,
            });
        if (_options.RbacManifestPath is { } path && !File.Exists(path))
            throw new ArgumentException($"RBAC manifest '{path}' does not exist; leave RbacManifestPath unset to use the plugin's own sonobuoy/ai-conformance-rbac.yaml.");
        var rbac = _options.RbacManifestPath is { } rbacFile ? File.ReadAllText(rbacFile) : EmbeddedRbacManifest();
        foreach (var document in YamlJson.ParseAll(rbac).OfType<JsonObject>())
        {
            var kind = ResourceCatalog.ByApiVersionKind(document.Str("apiVersion") ?? "", document.Str("kind") ?? "")
                ?? throw new InvalidOperationException($"RBAC manifest holds an unserved kind {document.Str("apiVersion")}/{document.Str("kind")}.");
            if (kind.Namespaced) EnsureNamespace(document.Namespace() ?? "default");
            Store.Create(kind, document);
        }
        foreach (var folder in _options.EmbeddedCrdFolders)
        foreach (var text in EmbeddedCrds.Read(folder))
            InstallCrds(text);
        foreach (var file in _options.CrdManifestPaths) InstallCrdFile(file);
        foreach (var text in _options.CrdManifests) InstallCrds(text);
    }

    private void EnsureNamespace(string name)
    {
        if (Store.Get(ClusterStore.Namespaces, null, name) is null)
            Store.Create(ClusterStore.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } });
    }

    private static string EmbeddedRbacManifest()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("rbac/ai-conformance-rbac.yaml")
            ?? throw new InvalidOperationException("The plugin RBAC manifest is missing from the build.");
        return new StreamReader(stream).ReadToEnd();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var cancellation = http.RequestAborted;
        try
        {
            var requestPath = http.Request.Path.Value ?? "/";
            if (requestPath.TrimEnd('/') is "/version" or "/healthz" or "/livez" or "/readyz")
            {
                // system:public-info-viewer: readable without credentials.
                await ServeNonResourceAsync(http, requestPath);
                return;
            }
            var identity = Authenticate(http.Request);
            if (await ForwardToExtensionAsync(http, requestPath, identity, cancellation)) return;
            if (ApiPath.Parse(requestPath) is { } path)
            {
                var info = _handler.Resolve(path);
                var verb = ApiHandler.VerbOf(http.Request, path);
                if (verb == "create" && AccessReviews.IsReview(info.Kind.Group, info.Kind.Plural))
                {
                    RequestStatistics.Count(verb);
                    var review = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync(cancellation)) as JsonObject ?? [];
                    await ApiHandler.WriteJsonAsync(http, 201, _reviews.Answer(info.Kind.Plural, review, identity));
                    return;
                }
                var access = new AccessRequest(verb, info.Kind.Group, info.Kind.Plural, path.Subresource, info.Kind.Namespaced ? path.Namespace : null, path.Name);
                if (!_authorizer.Allows(identity, access))
                {
                    var target = path.Name is null ? info.Kind.GroupResource : $"{info.Kind.GroupResource} \"{path.Name}\"";
                    throw new StatusException(403, "Forbidden", $"{target} is forbidden: {RbacAuthorizer.DeniedMessage(identity, access)}",
                        StatusException.DetailsOf(info.Kind, path.Name ?? ""));
                }
                RequestStatistics.Count(verb);
                SchemaValidator.BeginRequest(http.Request.Query["fieldValidation"], identity.User);
                var limits = new WatchLimits(null, _options.BookmarkInterval);
                if (!identity.IsClusterAdmin)
                {
                    await _faults.BeforeRequestAsync(cancellation);
                    limits = limits with { DropAfterEvents = _faults.Faults.DropWatchesAfterEvents, EventDelay = _faults.DrawEventDelay };
                    if ((verb == "watch" || path.Subresource == "log") && _faults.DrawStreamCut() is { } cutAfter)
                        http.Response.Body = new CutResponseBody(http.Response.Body, cutAfter, http);
                }
                await _handler.HandleAsync(http, path, info, verb, identity, limits, cancellation);
                return;
            }
            RequestStatistics.Count("discovery");
            await ServeNonResourceAsync(http, requestPath);
        }
        catch (StatusException error)
        {
            if (http.Response.HasStarted) return;
            if (error.Code == 429) http.Response.Headers.RetryAfter = "1";
            await ApiHandler.WriteJsonAsync(http, error.Code, error.ToStatus());
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            if (http.Response.HasStarted) return;
            var status = new StatusException(500, "InternalError", $"Internal error occurred: {error.GetType().Name}: {error.Message}");
            await ApiHandler.WriteJsonAsync(http, 500, status.ToStatus());
        }
    }

    /// <summary>Extension API servers registered by behaviours (metrics adapters); the aggregation layer forwards to them.</summary>
    public AggregatedApis AggregatedApis { get; set; } = new();

    /// <summary>
    /// Forwards a request below <c>/apis/{group}/{version}</c> to the extension API server that serves it, after RBAC
    /// as the aggregator does it (<c>pods/{metric}</c> is resource and subresource); false when no extension serves it.
    /// </summary>
    private async Task<bool> ForwardToExtensionAsync(HttpContext http, string requestPath, Identity identity, CancellationToken cancellation)
    {
        var parts = requestPath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || parts[0] != "apis" || !AggregatedApis.Serves(parts[1], parts[2])) return false;
        var below = parts[3..];
        if (below.Length > 0)
        {
            var ns = below is ["namespaces", var n, _, ..] ? n : null;
            var rest = ns is null ? below : below[2..];
            var access = new AccessRequest(http.Request.Method == "GET" ? "get" : http.Request.Method.ToLowerInvariant(), parts[1], rest[0],
                rest.Length > 2 ? rest[2] : null, ns, rest.Length > 1 ? rest[1] : null);
            if (!_authorizer.Allows(identity, access))
                throw new StatusException(403, "Forbidden", $"{rest[0]}.{parts[1]} is forbidden: {RbacAuthorizer.DeniedMessage(identity, access)}");
        }
        RequestStatistics.Count("get");
        var request = new AggregatedRequest(parts[1], parts[2], below, http.Request.Query["labelSelector"].FirstOrDefault());
        var answer = await AggregatedApis.Forward(request, cancellation)!;
        await ApiHandler.WriteJsonAsync(http, answer.Status, answer.Body);
        return true;
    }

    private Identity Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (token == _adminToken) return Identity.Admin;
        if (token == _pluginToken) return PluginIdentity;
        throw new StatusException(401, "Unauthorized", "Unauthorized");
    }

    private async Task ServeNonResourceAsync(HttpContext http, string path)
    {
        var accept = http.Request.Headers.Accept.ToString();
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        http.Response.Headers.Vary = "Accept";
        switch (parts)
        {
            case ["version"]:
                await ApiHandler.WriteJsonAsync(http, 200, _discovery.Version());
                return;
            case ["healthz" or "livez" or "readyz", ..]:
                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync("ok");
                return;
            case ["api"] when DiscoveryDocuments.WantsAggregated(accept):
                await ApiHandler.WriteJsonAsync(http, 200, _discovery.Aggregated(core: true), DiscoveryDocuments.AggregatedContentType);
                return;
            case ["apis"] when DiscoveryDocuments.WantsAggregated(accept):
                await ApiHandler.WriteJsonAsync(http, 200, _discovery.Aggregated(core: false), DiscoveryDocuments.AggregatedContentType);
                return;
            case ["api"]:
                await ApiHandler.WriteJsonAsync(http, 200, _discovery.CoreVersions());
                return;
            case ["apis"]:
                await ApiHandler.WriteJsonAsync(http, 200, _discovery.GroupList());
                return;
            case ["api", var version] when _discovery.ResourceList("", version) is { } core:
                await ApiHandler.WriteJsonAsync(http, 200, core);
                return;
            case ["apis", var group] when _discovery.GroupDocument(group) is { } groupDocument:
                await ApiHandler.WriteJsonAsync(http, 200, groupDocument);
                return;
            case ["apis", var group, var version] when _discovery.ResourceList(group, version) is { } resources:
                await ApiHandler.WriteJsonAsync(http, 200, resources);
                return;
            case ["openapi", "v2"]:
                await ApiHandler.WriteJsonAsync(http, 200, _openApi.V2());
                return;
            case ["openapi", "v3"]:
                await ApiHandler.WriteJsonAsync(http, 200, _openApi.V3Index());
                return;
            case ["openapi", "v3", .. var rest] when _openApi.V3(string.Join('/', rest)) is { } document:
                await ApiHandler.WriteJsonAsync(http, 200, document);
                return;
        }
        throw new StatusException(404, "NotFound", "the server could not find the requested resource", new JsonObject());
    }

    private static (string Namespace, string Name) SplitServiceAccount(string serviceAccount)
    {
        var parts = serviceAccount.Split('/');
        return parts.Length == 2 ? (parts[0], parts[1]) : ("sonobuoy", serviceAccount);
    }
}
