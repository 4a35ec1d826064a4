using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>Opens a connection from the control plane to port <c>port</c> of a Service (through kube-proxy).</summary>
public delegate ValueTask<Stream> ServiceConnector(string ns, string service, int port, CancellationToken cancellation);

/// <summary>What one request asks of admission: its operation, resource, objects and whether it is a dry run.</summary>
public sealed record AdmissionRequest(string Operation, ResourceKind Kind, string? Subresource, string? Namespace, JsonObject? Object,
    JsonObject? OldObject, bool DryRun);

/// <summary>
/// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins of kube-apiserver, which share their matching
/// and calling: every webhook of every configuration (in the order of the configurations' names) whose rules,
/// namespaceSelector and objectSelector match the request is sent an <c>admission.k8s.io/v1</c> AdmissionReview.
/// Mutating webhooks run first, before the server's validation (and, unlike a real server, before its defaults); one
/// may answer a base64 RFC 6902 <c>patch</c> (<c>patchType: JSONPatch</c>), applied to the object before the next
/// webhook is matched and called (<c>reinvocationPolicy</c> is not simulated: no webhook is called twice). Validating
/// webhooks see the object once it passed the server's validation and may not patch. A denial fails the request with
/// <c>admission webhook "NAME" denied the request: MESSAGE</c>; a webhook that cannot be called, or answers what the
/// server cannot use, fails it (500) or is skipped, as its failurePolicy says. Requests made through the API are
/// admitted, and so are the pods the ReplicaSet controller creates; other behaviours write the store as trusted
/// components. TLS is not simulated: a caBundle must hold a certificate, which the call then trusts.
/// </summary>
public sealed class AdmissionWebhooks(ClusterStore store)
{
    public static readonly ResourceKind MutatingConfigurations =
        new("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false);

    public static readonly ResourceKind ValidatingConfigurations =
        new("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false);

    private static readonly ResourceKind Namespaces = new("", "v1", "Namespace", "namespaces", false);

    /// <summary>How the server reaches a webhook Service; the simulation host connects it to the pod network.</summary>
    public ServiceConnector? Connect { get; set; }

    /// <summary>
    /// Calls the mutating webhooks in order, each matched against the object as the webhooks before it left it, and
    /// applies their patches to the request's object in place.
    /// </summary>
    public async Task MutateAsync(AdmissionRequest request, CancellationToken cancellation)
    {
        foreach (var webhook in Webhooks(MutatingConfigurations))
        {
            if (!Matches(webhook, request)) continue;
            var name = webhook.Str("name") ?? "";
            if (await CallAsync(webhook, name, request, mutating: true, cancellation) is not { Count: > 0 } patch) continue;
            if (request.Object is null)
                throw InternalError($"admission webhook \"{name}\" attempted to modify the object, which is not supported for this operation");
            JsonObject patched;
            try
            {
                patched = (JsonObject)Patches.JsonPatch(request.Object, patch);
            }
            catch (Exception failed) when (failed is StatusException or InvalidCastException)
            {
                throw InternalError(failed.Message);
            }
            request.Object.Clear();
            foreach (var key in patched.Select(field => field.Key).ToList())
            {
                var value = patched[key];
                patched.Remove(key);
                request.Object[key] = value;
            }
        }
    }

    /// <summary>
    /// Calls the validating webhooks that match. <paramref name="validate"/> runs the server's own validation first
    /// (only when some webhook matches), since validating webhooks see only objects that passed it.
    /// </summary>
    public async Task ValidateAsync(AdmissionRequest request, Action validate, CancellationToken cancellation)
    {
        var matching = Webhooks(ValidatingConfigurations).Where(webhook => Matches(webhook, request)).ToList();
        if (matching.Count == 0) return;
        validate();
        foreach (var webhook in matching) await CallAsync(webhook, webhook.Str("name") ?? "", request, mutating: false, cancellation);
    }

    private IEnumerable<JsonObject> Webhooks(ResourceKind configurations) =>
        store.List(configurations).OrderBy(configuration => configuration.Name(), StringComparer.Ordinal)
            .SelectMany(configuration => (configuration["webhooks"] as JsonArray ?? []).OfType<JsonObject>());

    private bool Matches(JsonObject webhook, AdmissionRequest request)
    {
        var kind = request.Kind;
        var resource = request.Subresource is null ? kind.Plural : $"{kind.Plural}/{request.Subresource}";
        return (webhook["rules"] as JsonArray ?? []).OfType<JsonObject>().Any(rule => RuleMatches(rule, request.Operation, kind, resource))
               && ObjectSelectorMatches(webhook["objectSelector"], (request.Object ?? request.OldObject)!, request.OldObject)
               && (!kind.Namespaced || NamespaceSelectorMatches(webhook["namespaceSelector"], request.Namespace));
    }

    private static bool RuleMatches(JsonObject rule, string operation, ResourceKind kind, string resource)
    {
        static bool Has(JsonNode? list, Func<string, bool> accepts) => (list as JsonArray ?? []).Select(v => (string?)v).OfType<string>().Any(accepts);
        var scope = rule.Str("scope") ?? "*";
        return Has(rule["operations"], op => op == "*" || op == operation)
               && Has(rule["apiGroups"], group => group == "*" || group == kind.Group)
               && Has(rule["apiVersions"], version => version == "*" || version == kind.Version)
               && Has(rule["resources"], pattern => ResourceMatches(pattern, resource))
               && (scope == "*" || (scope == "Namespaced") == kind.Namespaced);
    }

    /// <summary><c>*</c> is every resource, <c>*/*</c> every resource and subresource, <c>*/status</c> every status subresource.</summary>
    private static bool ResourceMatches(string pattern, string resource)
    {
        if (pattern == resource || pattern == "*/*") return true;
        var (main, sub) = Split(resource);
        var (patternMain, patternSub) = Split(pattern);
        return (patternMain == "*" || patternMain == main) && (patternSub ?? "") == (sub ?? "");

        static (string Main, string? Sub) Split(string text) => text.IndexOf('/') is var slash and >= 0 ? (text[..slash], text[(slash + 1)..]) : (text, null);
    }

    /// <summary>Matches when the new or the old object's labels match; an absent selector matches everything.</summary>
    private static bool ObjectSelectorMatches(JsonNode? selector, JsonObject obj, JsonObject? old) =>
        selector is null || LabelSelector.FromLabelSelector(selector) is var parsed && (parsed.Matches(obj) || (old is not null && parsed.Matches(old)));

    private bool NamespaceSelectorMatches(JsonNode? selector, string? ns)
    {
        if (selector is null || ns is null) return true;
        var parsed = LabelSelector.FromLabelSelector(selector);
        if (parsed.IsEverything) return true;
        var labels = store.Get(Namespaces, null, ns)?.Labels() ?? new Dictionary<string, string>();
        // The namespace lifecycle controller labels every namespace with its own name.
        var withName = new Dictionary<string, string>(labels) { ["kubernetes.io/metadata.name"] = ns };
        return parsed.Matches(withName);
    }

    private static JsonObject Review(AdmissionRequest admission)
    {
        var kind = admission.Kind;
        var gvk = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["kind"] = kind.Kind };
        var gvr = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["resource"] = kind.Plural };
        var request = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = gvk,
            ["resource"] = gvr,
            ["requestKind"] = gvk.DeepClone(),
            ["requestResource"] = gvr.DeepClone(),
            ["name"] = (admission.Object ?? admission.OldObject)!.Name(),
            ["operation"] = admission.Operation,
            ["userInfo"] = new JsonObject { ["username"] = "system:simulated-client" },
            ["object"] = admission.Object?.DeepClone(),
            ["oldObject"] = admission.OldObject?.DeepClone(),
            ["dryRun"] = admission.DryRun,
        };
        if (admission.Subresource is not null) request["subResource"] = admission.Subresource;
        if (admission.Namespace is not null) request["namespace"] = admission.Namespace;
        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request };
    }

    /// <summary>
    /// Calls one webhook: returns the JSON patch it answered (null for none, or when its failure is ignored), throws
    /// its denial, or the internal error of a webhook that could not be called.
    /// </summary>
    private async Task<JsonArray?> CallAsync(JsonObject webhook, string name, AdmissionRequest request, bool mutating, CancellationToken cancellation)
    {
        if (request.DryRun && webhook.Str("sideEffects") is not ("None" or "NoneOnDryRun"))
            throw StatusException.BadRequest($"admission webhook \"{name}\" does not support dry run");
        var review = Review(request);
        JsonObject response;
        JsonArray? patch;
        try
        {
            response = Response(await PostAsync(webhook, review, cancellation), review["request"]!.AsObject().Str("uid"));
            patch = Patch(response, mutating);
        }
        catch (WebhookCallFailed failed)
        {
            if (webhook.Str("failurePolicy") == "Ignore") return null;
            throw InternalError($"failed calling webhook \"{name}\": {failed.Message}");
        }
        if ((bool?)response["allowed"] != true) throw Denied(name, response["status"] as JsonObject);
        return patch;
    }

    /// <summary>The review's response, which must answer the request's uid (apiserver's VerifyAdmissionResponse).</summary>
    private static JsonObject Response(string answer, string? uid)
    {
        JsonObject? response;
        try
        {
            response = (ApiHandler.ParseJson(answer) as JsonObject)?["response"] as JsonObject;
        }
        catch (StatusException unreadable)
        {
            throw new WebhookCallFailed($"received invalid webhook response: {unreadable.Message}");
        }
        if (response is null || response.Str("uid") != uid)
            throw new WebhookCallFailed($"received invalid webhook response: expected response.uid=\"{uid}\", got \"{response?.Str("uid")}\"");
        return response;
    }

    /// <summary>The response's patch: only a mutating webhook may answer one, and only as a base64 JSONPatch.</summary>
    private static JsonArray? Patch(JsonObject response, bool mutating)
    {
        if (response.Str("patch") is not { Length: > 0 } encoded) return null;
        if (!mutating) throw new WebhookCallFailed("received invalid webhook response: validating webhooks may not return patches");
        var patchType = response.Str("patchType");
        if (patchType is null) throw new WebhookCallFailed("received invalid webhook response: webhook returned response.patch but not response.patchType");
        if (patchType != "JSONPatch") throw new WebhookCallFailed($"received invalid webhook response: webhook returned invalid response.patchType of \"{patchType}\"");
        try
        {
            return ApiHandler.ParseJson(Encoding.UTF8.GetString(Convert.FromBase64String(encoded))) as JsonArray
                   ?? throw new WebhookCallFailed("received invalid webhook response: the patch is not a JSON array");
        }
        catch (Exception error) when (error is FormatException or StatusException)
        {
            throw new WebhookCallFailed($"received invalid webhook response: {error.Message}");
        }
    }

    private static StatusException InternalError(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    /// <summary>The API server's words for a denial (apiserver's webhook errors: ToStatusErr).</summary>
    private static StatusException Denied(string name, JsonObject? result)
    {
        var deniedBy = $"admission webhook \"{name}\" denied the request";
        var code = Behaviours.JsonNumber.Int(result?["code"]) is { } given && given >= 400 ? given : 400;
        var message = result?.Str("message") is { Length: > 0 } text ? $"{deniedBy}: {text}"
            : result?.Str("reason") is { Length: > 0 } reason ? $"{deniedBy}: {reason}"
            : $"{deniedBy} without explanation";
        return new StatusException(code, result?.Str("reason") ?? "", message, result?["details"]?.DeepClone() as JsonObject);
    }

    private async Task<string> PostAsync(JsonObject webhook, JsonObject review, CancellationToken cancellation)
    {
        var config = webhook["clientConfig"] as JsonObject ?? [];
        var timeout = TimeSpan.FromSeconds(Behaviours.JsonNumber.Int(webhook["timeoutSeconds"]) ?? 10);
        if (config["service"] is not JsonObject service)
            throw new WebhookCallFailed($"failed to call webhook: Post \"{config.Str("url")}\": the simulated cluster reaches webhooks only through a Service");
        var (ns, svc) = (service.Str("namespace") ?? "", service.Str("name") ?? "");
        var port = Behaviours.JsonNumber.Int(service["port"]) ?? 443;
        var path = service.Str("path") ?? "/";
        var url = $"https://{svc}.{ns}.svc:{port}{path}?timeout={timeout.TotalSeconds:0}s";
        if (!Trusted(config.Str("caBundle")))
            throw new WebhookCallFailed($"failed to call webhook: Post \"{url}\": tls: failed to verify certificate: x509: certificate signed by unknown authority");
        if (Connect is null) throw new WebhookCallFailed($"failed to call webhook: Post \"{url}\": no pod network in this server");
        using var handler = new SocketsHttpHandler { UseProxy = false, ConnectCallback = (_, token) => Connect(ns, svc, port, token) };
        using var client = new HttpClient(handler) { Timeout = timeout };
        try
        {
            using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
            using var answer = await client.PostAsync($"http://{svc}.{ns}.svc:{port}{path}?timeout={timeout.TotalSeconds:0}s", content, cancellation);
            var body = await answer.Content.ReadAsStringAsync(cancellation);
            if (!answer.IsSuccessStatusCode)
                throw new WebhookCallFailed($"failed to call webhook: Post \"{url}\": the server responded with the status code {(int)answer.StatusCode}, {body.Trim()}");
            return body;
        }
        catch (HttpRequestException error)
        {
            var reason = (error.InnerException as SocketException)?.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connect: connection refused",
                SocketError.HostNotFound => $"service \"{svc}\" not found",
                _ => error.Message,
            };
            throw new WebhookCallFailed($"failed to call webhook: Post \"{url}\": {reason}");
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new WebhookCallFailed($"failed to call webhook: Post \"{url}\": context deadline exceeded");
        }
    }

    /// <summary>Whether the caBundle (base64 of PEM) holds a certificate valid now; without one the webhook's certificate is not trusted.</summary>
    private static bool Trusted(string? caBundle)
    {
        if (string.IsNullOrEmpty(caBundle)) return false;
        try
        {
            var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(caBundle)));
            return certificate.NotBefore <= DateTime.Now && DateTime.Now <= certificate.NotAfter;
        }
        catch (Exception error) when (error is FormatException or CryptographicException)
        {
            return false;
        }
    }

    private sealed class WebhookCallFailed(string message) : Exception(message);
}
