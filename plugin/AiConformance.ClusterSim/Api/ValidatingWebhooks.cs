using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>Opens a connection from the control plane to port <c>port</c> of a Service (through kube-proxy).</summary>
public delegate ValueTask<Stream> ServiceConnector(string ns, string service, int port, CancellationToken cancellation);

/// <summary>
/// The ValidatingAdmissionWebhook plugin of kube-apiserver: after a request's object has passed schema validation,
/// every webhook of every ValidatingWebhookConfiguration whose rules, namespaceSelector and objectSelector match the
/// request is sent an <c>admission.k8s.io/v1</c> AdmissionReview; a denial fails the request with
/// <c>admission webhook "NAME" denied the request: MESSAGE</c>, and a webhook that cannot be called fails it (500) or
/// is skipped, as its failurePolicy says. Requests made through the API are admitted; behaviours write the store as
/// trusted components. TLS is not simulated: a caBundle must hold a certificate, which the call then trusts.
/// </summary>
public sealed class ValidatingWebhooks(ClusterStore store)
{
    public static readonly ResourceKind Configurations =
        new("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false);

    private static readonly ResourceKind Namespaces = new("", "v1", "Namespace", "namespaces", false);

    /// <summary>How the server reaches a webhook Service; the simulation host connects it to the pod network.</summary>
    public ServiceConnector? Connect { get; set; }

    /// <summary>
    /// Admits a request. <paramref name="validate"/> runs the server's own validation first (only when some webhook
    /// matches), since validating webhooks see only objects that passed it.
    /// </summary>
    public async Task AdmitAsync(string operation, ResourceInfo info, string? subresource, string? ns, JsonObject? obj, JsonObject? old,
        bool dryRun, Action validate, CancellationToken cancellation)
    {
        var matching = Matching(operation, info.Kind, subresource, ns, obj ?? old!, old).ToList();
        if (matching.Count == 0) return;
        validate();
        foreach (var webhook in matching)
        {
            var name = webhook.Str("name") ?? "";
            if (dryRun && webhook.Str("sideEffects") is not ("None" or "NoneOnDryRun"))
                throw StatusException.BadRequest($"admission webhook \"{name}\" does not support dry run");
            await CallAsync(webhook, name, Review(operation, info.Kind, subresource, ns, obj, old, dryRun), cancellation);
        }
    }

    private IEnumerable<JsonObject> Matching(string operation, ResourceKind kind, string? subresource, string? ns, JsonObject obj, JsonObject? old)
    {
        var configurations = store.List(Configurations);
        if (configurations.Count == 0) yield break;
        var resource = subresource is null ? kind.Plural : $"{kind.Plural}/{subresource}";
        foreach (var webhook in configurations.SelectMany(c => (c["webhooks"] as JsonArray ?? []).OfType<JsonObject>()))
        {
            if (!(webhook["rules"] as JsonArray ?? []).OfType<JsonObject>().Any(rule => RuleMatches(rule, operation, kind, resource))) continue;
            if (!ObjectSelectorMatches(webhook["objectSelector"], obj, old)) continue;
            if (kind.Namespaced && !NamespaceSelectorMatches(webhook["namespaceSelector"], ns)) continue;
            yield return webhook;
        }
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

    private static JsonObject Review(string operation, ResourceKind kind, string? subresource, string? ns, JsonObject? obj, JsonObject? old, bool dryRun)
    {
        var gvk = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["kind"] = kind.Kind };
        var gvr = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["resource"] = kind.Plural };
        var request = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = gvk,
            ["resource"] = gvr,
            ["requestKind"] = gvk.DeepClone(),
            ["requestResource"] = gvr.DeepClone(),
            ["name"] = (obj ?? old)!.Name(),
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "system:simulated-client" },
            ["object"] = obj?.DeepClone(),
            ["oldObject"] = old?.DeepClone(),
            ["dryRun"] = dryRun,
        };
        if (subresource is not null) request["subResource"] = subresource;
        if (ns is not null) request["namespace"] = ns;
        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request };
    }

    private async Task CallAsync(JsonObject webhook, string name, JsonObject review, CancellationToken cancellation)
    {
        var ignoreFailure = webhook.Str("failurePolicy") == "Ignore";
        string answer;
        try
        {
            answer = await PostAsync(webhook, review, cancellation);
        }
        catch (WebhookCallFailed failed)
        {
            if (ignoreFailure) return;
            throw new StatusException(500, "InternalError",
                $"Internal error occurred: failed calling webhook \"{name}\": failed to call webhook: {failed.Message}",
                new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = $"failed calling webhook \"{name}\": failed to call webhook: {failed.Message}" }) });
        }
        var response = (ApiHandler.ParseJson(answer) as JsonObject)?["response"] as JsonObject;
        var uid = review["request"]!.AsObject().Str("uid");
        if (response is null || response.Str("uid") != uid)
        {
            if (ignoreFailure) return;
            throw new StatusException(500, "InternalError",
                $"Internal error occurred: failed calling webhook \"{name}\": expected response.uid=\"{uid}\", got \"{response?.Str("uid")}\"");
        }
        if ((bool?)response["allowed"] == true) return;
        throw Denied(name, response["status"] as JsonObject);
    }

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
            throw new WebhookCallFailed($"Post \"{config.Str("url")}\": the simulated cluster reaches webhooks only through a Service");
        var (ns, svc) = (service.Str("namespace") ?? "", service.Str("name") ?? "");
        var port = Behaviours.JsonNumber.Int(service["port"]) ?? 443;
        var path = service.Str("path") ?? "/";
        var url = $"https://{svc}.{ns}.svc:{port}{path}?timeout={timeout.TotalSeconds:0}s";
        if (!Trusted(config.Str("caBundle")))
            throw new WebhookCallFailed($"Post \"{url}\": tls: failed to verify certificate: x509: certificate signed by unknown authority");
        if (Connect is null) throw new WebhookCallFailed($"Post \"{url}\": no pod network in this server");
        using var handler = new SocketsHttpHandler { UseProxy = false, ConnectCallback = (_, token) => Connect(ns, svc, port, token) };
        using var client = new HttpClient(handler) { Timeout = timeout };
        try
        {
            using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
            using var answer = await client.PostAsync($"http://{svc}.{ns}.svc:{port}{path}?timeout={timeout.TotalSeconds:0}s", content, cancellation);
            var body = await answer.Content.ReadAsStringAsync(cancellation);
            if (!answer.IsSuccessStatusCode) throw new WebhookCallFailed($"Post \"{url}\": the server responded with the status code {(int)answer.StatusCode}, {body.Trim()}");
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
            throw new WebhookCallFailed($"Post \"{url}\": {reason}");
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new WebhookCallFailed($"Post \"{url}\": context deadline exceeded");
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
