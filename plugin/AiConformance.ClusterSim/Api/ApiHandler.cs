using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api.Protobuf;
using AiConformance.ClusterSim.Rbac;
using AiConformance.ClusterSim.Store;
using AiConformance.ClusterSim.Validation;
using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// Container logs for <c>pods/log</c>: the text the container (or, with <paramref name="previous"/>, its previous
/// instance) wrote, or null when there is none.
/// </summary>
public delegate string? PodLogProvider(string ns, string pod, string container, bool previous);

/// <summary>What <c>pods/proxy</c> gets from a pod's port: status, content type and body (the pod network answers).</summary>
public delegate Task<(int Status, string ContentType, string Body)> PodProxy(JsonObject pod, int port, string pathAndQuery, CancellationToken cancellation);

/// <summary>The resource verbs of the REST protocol over the store: create, get, list, watch, update, patch, delete.</summary>
public sealed class ApiHandler(ResourceCatalog catalog, ClusterStore store, SchemaResolver schemas, ApiAdmission admission)
{
    // Quotes and non-ASCII text stay readable on the wire, as kube-apiserver writes them.
    private static readonly JsonWriterOptions WireFormat = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    internal static readonly JsonSerializerOptions WireJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WatchStream _watches = new(store);
    private readonly Subresources _subresources = new(store);
    private readonly PodExecStream _exec = new(store);
    private readonly PodPortForward _portForward = new(store);
    private readonly PodAttachStream _attach = new(store);

    public PodExec? PodExec
    {
        get => _exec.Exec;
        set => _exec.Exec = value;
    }

    public PodAttach? PodAttach
    {
        get => _attach.Attach;
        set => _attach.Attach = value;
    }

    /// <summary>RBAC's escalation prevention for roles and bindings written through the API.</summary>
    public EscalationPrevention? Escalation { get; set; }

    public PodPortConnector? PodPortConnector
    {
        get => _portForward.Connect;
        set => _portForward.Connect = value;
    }

    /// <summary>The validating admission webhooks every request through the API passes.</summary>
    public AdmissionWebhooks Webhooks { get; } = new(store);

    public PodProxy? PodProxy
    {
        get => _subresources.Proxy;
        set => _subresources.Proxy = value;
    }

    public PodLogProvider? Logs
    {
        get => _subresources.Logs;
        set => _subresources.Logs = value;
    }

    /// <summary>The RBAC verb of a request, as the request-info resolver of kube-apiserver names it.</summary>
    public static string VerbOf(HttpRequest request, ApiPath path)
    {
        var watch = path.LegacyWatch || QueryParameters.Bool(request.Query, "watch");
        return request.Method switch
        {
            "GET" or "HEAD" => watch ? "watch" : path.Name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => path.Name is null ? "deletecollection" : "delete",
            _ => request.Method.ToLowerInvariant(),
        };
    }

    public ResourceInfo Resolve(ApiPath path)
    {
        var info = catalog.Find(path.Group, path.Version, path.Plural);
        if (info is null || (!info.Kind.Namespaced && path.Namespace is not null)
            || (path.Subresource is not null && !info.Subresources.ContainsKey(path.Subresource)))
            throw new StatusException(404, "NotFound", "the server could not find the requested resource", new JsonObject());
        return info;
    }

    public async Task HandleAsync(HttpContext http, ApiPath path, ResourceInfo info, string verb, Identity identity, WatchLimits watchLimits, CancellationToken cancellation)
    {
        var kind = info.Kind;
        var request = http.Request;
        var ns = kind.Namespaced ? path.Namespace : null;
        if (kind.Namespaced && ns is null && verb is not ("list" or "watch"))
            throw new StatusException(404, "NotFound", "the server could not find the requested resource", new JsonObject());
        if (path.Subresource == "proxy" && kind.Group.Length == 0 && kind.Plural is "pods" or "services" && verb == "get")
        {
            if (kind.Plural == "pods") await _subresources.ProxyAsync(http, ns!, path.Name!, path.ProxyPath ?? "/", cancellation);
            else await _subresources.ServiceProxyAsync(http, ns!, path.Name!, path.ProxyPath ?? "/", cancellation);
            return;
        }
        if (path.Subresource == "exec" && kind.Group.Length == 0 && kind.Plural == "pods" && verb is "get" or "create")
        {
            await _exec.ServeAsync(http, ns!, path.Name!, cancellation);
            return;
        }
        if (path.Subresource == "attach" && kind.Group.Length == 0 && kind.Plural == "pods" && verb is "get" or "create")
        {
            await _attach.ServeAsync(http, ns!, path.Name!, cancellation);
            return;
        }
        if (path.Subresource == "portforward" && kind.Group.Length == 0 && kind.Plural == "pods" && verb is "get" or "create")
        {
            await _portForward.ServeAsync(http, ns!, path.Name!, cancellation);
            return;
        }
        if (path.Subresource is { } connect && info.Subresources[connect].IsConnect)
            throw StatusException.BadRequest(PodExecStream.UpgradeRequired(http, connect));
        var allowed = path.Subresource is { } sub ? info.Subresources[sub].Verbs : info.Verbs;
        if (!allowed.Contains(verb) && !(verb == "watch" && path.Subresource is null && info.Verbs.Contains("list")))
            throw StatusException.MethodNotAllowed("the server does not allow this method on the requested resource");
        switch (verb, path.Subresource)
        {
            case ("watch", _):
                await _watches.ServeAsync(http, info, ns, path.Name, watchLimits, cancellation);
                return;
            case ("list", _):
                await ListAsync(http, info, ns);
                return;
            case ("get", "log"):
                await _subresources.LogAsync(http, ns!, path.Name!);
                return;
            case ("get" or "update" or "patch", "scale"):
                await _subresources.ScaleAsync(http, info, ns, path.Name!, verb, cancellation);
                return;
            case ("get", _):
                var found = store.Get(kind, ns, path.Name!) ?? throw StatusException.NotFound(kind, path.Name!);
                await WriteObjectAsync(http, info, found, 200);
                return;
            case ("create", "binding"):
                await _subresources.BindAsync(http, ns!, path.Name!, cancellation);
                return;
            case ("create", "eviction"):
                _ = store.Delete(kind, ns, path.Name!, gracePeriodSeconds: null) ?? throw StatusException.NotFound(kind, path.Name!);
                await WriteJsonAsync(http, 201, Success());
                return;
            case ("create", null):
                await CreateAsync(http, info, ns, identity, cancellation);
                return;
            case ("update", null or "status"):
                await UpdateAsync(http, info, ns, path.Name!, path.Subresource == "status", identity, cancellation);
                return;
            case ("patch", null or "status"):
                await PatchAsync(http, info, ns, path.Name!, path.Subresource == "status", identity, cancellation);
                return;
            case ("delete", null):
                await DeleteAsync(http, info, ns, path.Name!, cancellation);
                return;
            case ("deletecollection", null):
                await DeleteCollectionAsync(http, info, ns, cancellation);
                return;
        }
        throw StatusException.MethodNotAllowed($"the server does not allow this method on the requested resource");
    }

    private async Task CreateAsync(HttpContext http, ResourceInfo info, string? ns, Identity identity, CancellationToken cancellation)
    {
        var body = await ReadObjectAsync(http.Request, cancellation);
        CheckKind(info, body);
        if (ns is not null)
        {
            var bodyNs = body.Namespace();
            if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
                throw StatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            body.Metadata()["namespace"] = ns;
        }
        DropStatusOnCreate(info, body);
        Escalation?.Confirm(identity, info.Kind, body);
        await AdmitCreationAsync(info.Kind, body, IsDryRun(http.Request), cancellation);
        if (IsDryRun(http.Request))
        {
            admission.Admit(info.Kind, body, null);
            await WriteObjectAsync(http, info, body, 201);
            return;
        }
        await WriteObjectAsync(http, info, store.Create(info.Kind, body), 201);
    }

    private async Task UpdateAsync(HttpContext http, ResourceInfo info, string? ns, string name, bool statusOnly, Identity identity, CancellationToken cancellation)
    {
        var body = await ReadObjectAsync(http.Request, cancellation);
        CheckKind(info, body);
        if (body.Name() != name)
            throw StatusException.BadRequest($"the name of the object ({body.Name()}) does not match the name on the URL ({name})");
        if (ns is not null) body.Metadata()["namespace"] = ns;
        // Custom resources refuse unconditional updates; built-in strategies allow them.
        if (string.IsNullOrEmpty(body.Metadata().Str("resourceVersion")) && info.IsCustomResource)
            throw StatusException.Invalid(info.Kind, name, [new FieldError("FieldValueInvalid", "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")]);
        await AdmitUpdateAsync(http, info, ns, name, body, statusOnly, identity, cancellation);
        if (IsDryRun(http.Request))
        {
            var current = store.Get(info.Kind, ns, name) ?? throw StatusException.NotFound(info.Kind, name);
            await WriteObjectAsync(http, info, DryRunUpdate(info, current, body), 200);
            return;
        }
        await WriteObjectAsync(http, info, store.Update(info.Kind, body, statusOnly), 200);
    }

    private async Task PatchAsync(HttpContext http, ResourceInfo info, string? ns, string name, bool statusOnly, Identity identity, CancellationToken cancellation)
    {
        var contentType = (http.Request.ContentType ?? "").Split(';')[0].Trim();
        var text = await ReadTextAsync(http.Request, cancellation);
        var patch = contentType == Patches.Apply ? YamlJson.Parse(text) : ParseJson(text);
        for (var attempt = 0; ; attempt++)
        {
            var current = store.Get(info.Kind, ns, name);
            if (current is null)
            {
                if (contentType != Patches.Apply || patch is not JsonObject applied) throw StatusException.NotFound(info.Kind, name);
                applied.Metadata()["name"] = name;
                if (ns is not null) applied.Metadata()["namespace"] = ns;
                DropStatusOnCreate(info, applied);
                Escalation?.Confirm(identity, info.Kind, applied);
                await WriteObjectAsync(http, info, store.Create(info.Kind, applied), 201);
                return;
            }
            var patched = contentType switch
            {
                Patches.Merge => Patches.MergePatch(current, patch),
                Patches.Json when patch is JsonArray operations => Patches.JsonPatch(current, operations),
                Patches.Strategic or Patches.Apply when !info.IsCustomResource => Patches.StrategicMerge(current, patch, info.Schema, schemas),
                Patches.Apply => Patches.MergePatch(current, patch),
                Patches.Strategic => throw new StatusException(415, "UnsupportedMediaType",
                    $"the body of the request was in an unknown format - accepted media types include: {Patches.Json}, {Patches.Merge}, {Patches.Apply}"),
                _ => throw new StatusException(415, "UnsupportedMediaType",
                    $"the body of the request was in an unknown format - accepted media types include: {Patches.Json}, {Patches.Merge}, {Patches.Strategic}, {Patches.Apply}"),
            } as JsonObject ?? throw StatusException.BadRequest("the patch did not produce an object");
            await AdmitUpdateAsync(http, info, ns, name, patched, statusOnly, identity, cancellation);
            if (IsDryRun(http.Request))
            {
                await WriteObjectAsync(http, info, DryRunUpdate(info, current, patched), 200);
                return;
            }
            var clientVersion = (patch as JsonObject)?["metadata"]?["resourceVersion"]?.ToString();
            patched.Metadata()["resourceVersion"] = clientVersion ?? current.Metadata().Str("resourceVersion");
            try
            {
                await WriteObjectAsync(http, info, store.Update(info.Kind, patched, statusOnly), 200);
                return;
            }
            catch (StatusException conflict) when (conflict.Reason == "Conflict" && clientVersion is null && attempt < 5)
            {
                // A behaviour wrote in between; a patch without a resourceVersion precondition is retried, as the server does.
            }
        }
    }

    private async Task DeleteAsync(HttpContext http, ResourceInfo info, string? ns, string name, CancellationToken cancellation)
    {
        var options = await ReadDeleteOptionsAsync(http.Request, cancellation);
        var current = store.Get(info.Kind, ns, name) ?? throw StatusException.NotFound(info.Kind, name);
        if (options["preconditions"] is JsonObject preconditions)
        {
            if (preconditions.Str("uid") is { } uid && uid != current.Uid())
                throw new StatusException(409, "Conflict", $"Operation cannot be fulfilled on {info.Kind.GroupResource} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}", StatusException.DetailsOf(info.Kind, name));
            if (preconditions.Str("resourceVersion") is { } rv && rv != current.Metadata().Str("resourceVersion"))
                throw StatusException.Conflict(info.Kind, name);
        }
        var policy = PropagationPolicy(http, info, options);
        var deletion = new AdmissionRequest("DELETE", info.Kind, null, ns, null, current, IsDryRun(http.Request));
        await Webhooks.MutateAsync(deletion, cancellation);
        await Webhooks.ValidateAsync(deletion, () => { }, cancellation);
        if (IsDryRun(http.Request))
        {
            await WriteObjectAsync(http, info, current, 200);
            return;
        }
        var deleted = store.Delete(info.Kind, ns, name, policy, GracePeriod(http, options)) ?? throw StatusException.NotFound(info.Kind, name);
        await WriteObjectAsync(http, info, deleted, 200);
    }

    /// <summary>
    /// A create's admission webhooks: the mutating ones change <paramref name="obj"/>, the validating ones see it once
    /// it passed the server's validation. Controllers' creations pass here too (<see cref="SimulatedApiServer.AdmitCreationAsync"/>).
    /// </summary>
    public async Task AdmitCreationAsync(ResourceKind kind, JsonObject obj, bool dryRun, CancellationToken cancellation)
    {
        var request = new AdmissionRequest("CREATE", kind, null, kind.Namespaced ? obj.Namespace() : null, obj, null, dryRun);
        await Webhooks.MutateAsync(request, cancellation);
        await Webhooks.ValidateAsync(request, () => admission.Admit(kind, obj, null), cancellation);
    }

    /// <summary>
    /// An update's admission webhooks: the mutating ones change <paramref name="updated"/>; the validating ones see
    /// the object as the server would store it (validated against the current one).
    /// </summary>
    private async Task AdmitUpdateAsync(HttpContext http, ResourceInfo info, string? ns, string name, JsonObject updated, bool statusOnly, Identity identity,
        CancellationToken cancellation)
    {
        var current = store.Get(info.Kind, ns, name);
        if (current is null) return;
        Escalation?.Confirm(identity, info.Kind, updated);
        var subresource = statusOnly ? "status" : null;
        await Webhooks.MutateAsync(new AdmissionRequest("UPDATE", info.Kind, subresource, ns, updated, current, IsDryRun(http.Request)), cancellation);
        var candidate = (JsonObject)updated.DeepClone();
        await Webhooks.ValidateAsync(new AdmissionRequest("UPDATE", info.Kind, subresource, ns, candidate, current, IsDryRun(http.Request)),
            () => admission.Admit(info.Kind, candidate, current), cancellation);
    }

    private async Task DeleteCollectionAsync(HttpContext http, ResourceInfo info, string? ns, CancellationToken cancellation)
    {
        var options = await ReadDeleteOptionsAsync(http.Request, cancellation);
        var filter = Selectors.Parse(http.Request.Query["labelSelector"], http.Request.Query["fieldSelector"], info.Kind);
        var policy = PropagationPolicy(http, info, options);
        var deleted = new JsonArray();
        foreach (var item in store.List(info.Kind, ns, filter))
            if (store.Delete(info.Kind, item.Namespace(), item.Name(), policy, GracePeriod(http, options)) is { } gone) deleted.Add(gone);
        await WriteJsonAsync(http, 200, ListOf(info, deleted, store.ResourceVersion, null));
    }

    /// <summary>The grace period a client asked for; null lets a pod use its own terminationGracePeriodSeconds.</summary>
    private static long? GracePeriod(HttpContext http, JsonObject options) =>
        QueryParameters.Int64(http.Request.Query, "gracePeriodSeconds") ?? options["gracePeriodSeconds"].AsLong();

    private static string PropagationPolicy(HttpContext http, ResourceInfo info, JsonObject options)
    {
        var policy = (string?)http.Request.Query["propagationPolicy"] ?? options.Str("propagationPolicy");
        if (policy is null && options["orphanDependents"] is JsonValue orphan) policy = orphan.GetValue<bool>() ? "Orphan" : "Background";
        if (policy is not null and not ("Orphan" or "Background" or "Foreground"))
            throw StatusException.Invalid(info.Kind, "", [new FieldError("FieldValueNotSupported", "propagationPolicy", $"Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"")]);
        if (policy is null && info.Kind is { Group: "batch", Plural: "jobs" })
        {
            // batch/v1 Jobs orphan their pods unless told otherwise, and the server says so.
            http.Response.Headers.Append("Warning", "299 - \"child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning\"");
            return "Orphan";
        }
        return policy ?? "Background";
    }

    private async Task ListAsync(HttpContext http, ResourceInfo info, string? ns)
    {
        var query = http.Request.Query;
        var options = ListOptions.Parse(query, watch: false);
        var filter = Selectors.Parse(query["labelSelector"], query["fieldSelector"], info.Kind);
        var (items, rv) = ListAtVersion.Read(store, info.Kind, ns, filter, options);
        IEnumerable<JsonObject> page = items;
        string? continueToken = null;
        if (!string.IsNullOrEmpty(options.Continue))
        {
            var after = DecodeContinue(options.Continue);
            page = page.Where(o => string.CompareOrdinal((o.Namespace() ?? "") + "/" + o.Name(), after) > 0);
        }
        var rest = page.ToList();
        var remaining = rest;
        if (options.Limit is > 0 and var limit && rest.Count > limit)
        {
            var last = rest[(int)limit - 1];
            continueToken = EncodeContinue(rv, (last.Namespace() ?? "") + "/" + last.Name());
            remaining = rest[..(int)limit];
        }
        if (TableWriter.Wanted(http.Request.Headers.Accept))
        {
            await WriteJsonAsync(http, 200, TableWriter.Write(info, remaining, rv, continueToken));
            return;
        }
        var metadataOnly = WantsMetadataOnly(http.Request);
        var list = ListOf(info, new JsonArray(remaining.Select(i => (JsonNode?)(metadataOnly ? PartialObjectMetadata(i) : i)).ToArray()), rv, continueToken);
        if (metadataOnly)
        {
            list["kind"] = "PartialObjectMetadataList";
            list["apiVersion"] = "meta.k8s.io/v1";
        }
        if (continueToken is not null) list["metadata"]!["remainingItemCount"] = rest.Count - remaining.Count;
        await WriteJsonAsync(http, 200, list);
    }

    internal static JsonObject Success() => new()
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201,
    };

    private static JsonObject ListOf(ResourceInfo info, JsonArray items, long rv, string? continueToken)
    {
        var metadata = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) };
        if (continueToken is not null) metadata["continue"] = continueToken;
        return new JsonObject
        {
            ["kind"] = info.Kind.Kind + "List",
            ["apiVersion"] = info.Kind.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = items,
        };
    }

    private static void CheckKind(ResourceInfo info, JsonObject body)
    {
        var kind = body.Str("kind");
        var apiVersion = body.Str("apiVersion");
        if ((kind is not null && kind != info.Kind.Kind) || (apiVersion is not null && apiVersion != info.Kind.ApiVersion))
            throw StatusException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({info.Kind.ApiVersion})");
    }

    /// <summary>Kinds with a status subresource start without the status a client sent; controllers write it.</summary>
    private static void DropStatusOnCreate(ResourceInfo info, JsonObject body)
    {
        if (info.HasStatus) body.Remove("status");
    }

    private static bool IsDryRun(HttpRequest request) => request.Query["dryRun"] == "All";

    /// <summary>What an update would store, computed and validated but not written (dryRun=All).</summary>
    private JsonObject DryRunUpdate(ResourceInfo info, JsonObject current, JsonObject next)
    {
        var result = (JsonObject)next.DeepClone();
        foreach (var kept in new[] { "uid", "creationTimestamp", "resourceVersion", "generation" })
            result.Metadata()[kept] = current.Metadata()[kept]?.DeepClone();
        admission.Admit(info.Kind, result, current);
        return result;
    }

    /// <summary>Metadata-only clients (client-go's metadata informers) ask for PartialObjectMetadata.</summary>
    private static bool WantsMetadataOnly(HttpRequest request) =>
        request.Headers.Accept.ToString().Split(',')[0].Contains("as=PartialObjectMetadata", StringComparison.Ordinal);

    private static JsonObject PartialObjectMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj.Metadata().DeepClone(),
    };

    private async Task WriteObjectAsync(HttpContext http, ResourceInfo info, JsonObject obj, int code)
    {
        if (TableWriter.Wanted(http.Request.Headers.Accept))
        {
            await WriteJsonAsync(http, code, TableWriter.Write(info, [obj], obj.ResourceVersionOf()));
            return;
        }
        if (WantsMetadataOnly(http.Request))
        {
            await WriteJsonAsync(http, code, PartialObjectMetadata(obj));
            return;
        }
        await WriteJsonAsync(http, code, obj);
    }

    public static async Task WriteJsonAsync(HttpContext http, int code, JsonNode body, string contentType = "application/json")
    {
        http.Response.StatusCode = code;
        foreach (var warning in SchemaValidator.CurrentRequest?.Warnings ?? [])
            http.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"")}\"");
        // A client that prefers protobuf gets it where the kind has a descriptor, errors (a Status) included.
        if (contentType == "application/json" && body is JsonObject answer
            && KubernetesProtobuf.PrefersProtobuf(http.Request.Headers.Accept) && KubernetesProtobuf.Encode(answer) is { } protobuf)
        {
            http.Response.ContentType = KubernetesProtobuf.MediaType;
            await http.Response.Body.WriteAsync(protobuf);
            return;
        }
        http.Response.ContentType = contentType;
        await using var writer = new Utf8JsonWriter(http.Response.Body, WireFormat);
        body.WriteTo(writer);
    }

    internal static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken cancellation)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellation);
    }

    internal static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellation)
    {
        var contentType = request.ContentType ?? "";
        if (KubernetesProtobuf.IsProtobuf(contentType))
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancellation);
            return KubernetesProtobuf.Decode(body.ToArray());
        }
        if (contentType.Contains("protobuf", StringComparison.Ordinal) || contentType.Contains("cbor", StringComparison.Ordinal))
            throw new StatusException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (the simulated API server does not decode {contentType})");
        var text = await ReadTextAsync(request, cancellation);
        var node = contentType.Contains("yaml") ? YamlJson.Parse(text) : ParseJson(text);
        return node as JsonObject ?? throw StatusException.BadRequest("the request body is not a JSON object");
    }

    private static async Task<JsonObject> ReadDeleteOptionsAsync(HttpRequest request, CancellationToken cancellation)
    {
        var text = await ReadTextAsync(request, cancellation);
        return string.IsNullOrWhiteSpace(text) ? new JsonObject() : ParseJson(text) as JsonObject ?? new JsonObject();
    }

    internal static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException error)
        {
            throw StatusException.BadRequest($"the request body could not be decoded as JSON: {error.Message}");
        }
    }

    private static string EncodeContinue(long rv, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = lastKey }.ToJsonString()));

    private static string DecodeContinue(string token)
    {
        try
        {
            var node = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)));
            return node?["start"]?.ToString() ?? throw new FormatException();
        }
        catch (Exception error) when (error is FormatException or JsonException)
        {
            throw StatusException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
