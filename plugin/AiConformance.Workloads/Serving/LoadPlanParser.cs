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
}
