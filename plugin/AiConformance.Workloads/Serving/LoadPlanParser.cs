using System.Globalization;

namespace AiConformance.Workloads.Serving;

/// <summary>Checks the load command's values; a problem is one line with the fix.</summary>
public static class LoadPlanParser
{
    public static LoadPlan? Parse(string? url, int requests, int concurrency, double? durationSeconds, IReadOnlyList<string> headers, out string problem)
    {
        problem = "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
        {
            problem = $"--url '{url}' is not an absolute http(s) URL; e.g. --url http://echo.my-namespace.svc:8080/";
            return null;
        }
        if (requests < 1)
        {
            problem = $"--requests is {requests}; give 1 or more";
            return null;
        }
        if (concurrency < 1)
        {
            problem = $"--concurrency is {concurrency}; give 1 or more";
            return null;
        }
        if (durationSeconds is { } seconds && !(seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2))
        {
            problem = $"--duration is {seconds.ToString(CultureInfo.InvariantCulture)}; give a number of seconds above 0";
            return null;
        }
        var parsed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon < 1)
            {
                problem = $"--header '{header}' is not NAME:VALUE; e.g. --header x-route:canary";
                return null;
            }
            parsed[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }
        return new LoadPlan(target, requests, concurrency, durationSeconds is { } d ? TimeSpan.FromSeconds(d) : null, parsed);
    }

    /// <summary>The plan with what each request is: its method, its body, and whether it opens its own connection.</summary>
    public static LoadPlan? WithRequest(LoadPlan plan, string? method, string? body, bool newConnectionPerRequest, out string problem)
    {
        problem = "";
        var name = (method ?? "GET").Trim().ToUpperInvariant();
        if (name.Length == 0 || !name.All(c => c is >= 'A' and <= 'Z'))
        {
            problem = $"--method '{method}' is not an HTTP method; e.g. --method POST";
            return null;
        }
        if (body is not null && name is "GET" or "HEAD")
        {
            problem = $"--body is given with --method {name}; send a body with POST or PUT";
            return null;
        }
        return plan with { Method = new HttpMethod(name), Body = body, NewConnectionPerRequest = newConnectionPerRequest };
    }
}
