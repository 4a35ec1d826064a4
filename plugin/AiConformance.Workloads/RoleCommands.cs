using System.Text.Json.Nodes;
using System.CommandLine;
using System.Globalization;
using System.Net;
using AiConformance.Workloads.Probe;
using AiConformance.Workloads.Serving;

namespace AiConformance.Workloads;

/// <summary>
/// The workload roles as commands, one definition for everywhere they run: the image's command line and the simulated
/// cluster's kubelet both parse and run them through here, each with its own <see cref="RoleHost"/>.
/// </summary>
public static class RoleCommands
{
    public static IEnumerable<Command> Create(RoleHost host)
    {
        yield return ProbeCommand(host);
        yield return ServeEchoCommand(host);
        yield return ServeModelCommand(host);
        yield return LoadCommand(host);
    }

    /// <summary>The role names, as a container's command gives them (<c>aiconformance probe ...</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = [WorkloadRoles.Probe, WorkloadRoles.ServeEcho, WorkloadRoles.ServeModel, WorkloadRoles.Load];

    private static Command ProbeCommand(RoleHost host)
    {
        var hold = new Option<int>(ProbeRole.HoldOption)
        {
            Description = "Seconds to keep running after the report is printed, so that pods provably run at the same time (0: exit at once)",
            DefaultValueFactory = _ => 0,
            HelpName = "SECONDS",
        };
        var command = new Command(WorkloadRoles.Probe,
            "Print one JSON document describing what this container sees: accelerator devices, accelerator environment, " +
            "nvidia-smi, kernel identity, processes, network interfaces and host mounts")
        {
            hold,
        };
        command.SetAction(async (parseResult, cancellation) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var seconds = parseResult.GetValue(hold);
            if (seconds < 0)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"{ProbeRole.HoldOption} is {seconds}; give a number of seconds, 0 or more");
                return 2;
            }
            return await ProbeRole.RunAsync(host.View, seconds, text => { output.Write(text); output.Flush(); }, cancellation);
        });
        return command;
    }

    private static Option<int> PortOption(int defaultPort) => new("--port")
    {
        Description = "TCP port to listen on, on every address",
        DefaultValueFactory = _ => defaultPort,
        HelpName = "PORT",
    };

    private static Command ServeEchoCommand(RoleHost host)
    {
        var port = PortOption(EchoResponder.DefaultPort);
        var backend = new Option<string?>("--backend")
        {
            Description = $"Backend name put in every answer (default: ${EchoResponder.BackendVariable}, else the pod name)",
            HelpName = "NAME",
        };
        var command = new Command(WorkloadRoles.ServeEcho,
            "HTTP backend that answers every request with JSON naming the pod, namespace, node and backend that served it, " +
            "and echoing the method, path, host and headers; /healthz answers 200. Runs until SIGTERM or SIGINT")
        {
            port,
            backend,
        };
        command.SetAction(async (parseResult, cancellation) =>
        {
            var environment = host.View.Environment;
            var pod = PodIdentity.From(environment.GetValueOrDefault, host.HostName);
            var name = EchoResponder.BackendName(parseResult.GetValue(backend), environment.GetValueOrDefault, pod);
            var responder = new EchoResponder(pod, name);
            return await ServeAsync(host, parseResult, WorkloadRoles.ServeEcho, parseResult.GetValue(port), responder.HandleAsync,
                $"pod {pod.Pod}, backend {name}", cancellation);
        });
        return command;
    }

    private static Command ServeModelCommand(RoleHost host)
    {
        var port = PortOption(ModelServer.DefaultPort);
        var model = new Option<string>("--model")
        {
            Description = "Model name served and used as the metrics' model_name label",
            DefaultValueFactory = _ => ModelServer.DefaultModel,
            HelpName = "NAME",
        };
        var timePerToken = new Option<int>("--time-per-token-ms")
        {
            Description = "Milliseconds each generated token takes, so that load shows as running requests (0: answer at once)",
            DefaultValueFactory = _ => 0,
            HelpName = "MS",
        };
        var phase = new Option<ServingPhase>("--phase")
        {
            Description = "Phases this instance runs: both (default), prefill, or decode (with --prefill-url)",
            DefaultValueFactory = _ => ServingPhase.Both,
            HelpName = "both|prefill|decode",
        };
        var prefillUrl = new Option<string?>("--prefill-url")
        {
            Description = "Decode only: base URL of the prefill instances (their Service), e.g. http://prefill:8000",
            HelpName = "URL",
        };
        var command = new Command(WorkloadRoles.ServeModel,
            "OpenAI-compatible model-server simulator: GET /v1/models, POST /v1/completions and /v1/chat/completions " +
            "(non-streaming, deterministic text, token usage), GET /health, and GET /metrics with vLLM metric names. " +
            "Runs until SIGTERM or SIGINT")
        {
            port,
            model,
            timePerToken,
            phase,
            prefillUrl,
        };
        command.SetAction(async (parseResult, cancellation) =>
        {
            var name = parseResult.GetValue(model);
            if (string.IsNullOrWhiteSpace(name))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("serve-model: --model is empty; give the model name to serve, e.g. --model my-org/my-model");
                return 2;
            }
            var perToken = parseResult.GetValue(timePerToken);
            if (perToken is < 0 or > 60_000)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"serve-model: --time-per-token-ms is {perToken}; give milliseconds from 0 to 60000");
                return 2;
            }
            var served = parseResult.GetValue(phase);
            var prefillText = parseResult.GetValue(prefillUrl);
            Uri? prefillBase = null;
            if ((served == ServingPhase.Decode) != (prefillText is not null)
                || (prefillText is not null && (!Uri.TryCreate(prefillText, UriKind.Absolute, out prefillBase) || prefillBase.Scheme != Uri.UriSchemeHttp)))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                    $"error: serve-model --phase {served.ToString().ToLowerInvariant()} with --prefill-url '{prefillText}'; " +
                    "hint: a decode instance needs --prefill-url http://HOST:PORT of its prefill instances, and only a decode instance takes one");
                return 2;
            }
            var pod = PodIdentity.From(host.View.Environment.GetValueOrDefault, host.HostName).Pod;
            using var prefillHandler = prefillBase is null ? null : host.CreateHttpHandler();
            using var prefillClient = prefillHandler is null ? null : new HttpClient(prefillHandler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
            var server = new ModelServer(name, TimeSpan.FromMilliseconds(perToken), served,
                prefillClient is null ? null : new RemotePrefill(prefillClient, prefillBase!), pod);
            return await ServeAsync(host, parseResult, WorkloadRoles.ServeModel, parseResult.GetValue(port), server.HandleAsync,
                served == ServingPhase.Both ? $"model {name}" : $"model {name}, {served.ToString().ToLowerInvariant()} phase of pod {pod}", cancellation);
        });
        return command;
    }

    private static async Task<int> ServeAsync(RoleHost host, ParseResult parseResult, string role, int port,
        Func<HttpListenerRequest, CancellationToken, Task<RoleResponse>> handler, string identity, CancellationToken cancellation)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        if (port is < 1 or > 65535)
        {
            await error.WriteLineAsync($"{role}: --port is {port}; give a TCP port from 1 to 65535");
            return 2;
        }
        using var watch = host.WatchForStop(output, "stopping", out var stop);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellation, stop);
        HttpRoleServer server;
        try
        {
            server = host.Listen(port, handler);
        }
        catch (HttpListenerException e)
        {
            await error.WriteLineAsync($"{role}: cannot listen on port {port}: {e.Message} (is the port in use, or below 1024 without the capability?)");
            return 1;
        }
        await using (server)
        {
            await output.WriteLineAsync($"{role}: listening on port {port} ({identity})");
            await output.FlushAsync(CancellationToken.None);
            await server.RunUntilCancelledAsync(stopping.Token);
        }
        await output.WriteLineAsync($"{role}: stopped");
        return 0;
    }

    private static Command LoadCommand(RoleHost host)
    {
        var url = new Option<string>("--url") { Description = "URL to send the requests to", Required = true, HelpName = "URL" };
        var requests = new Option<int>("--requests") { Description = "Number of requests to send", Required = true, HelpName = "N" };
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "Requests in flight at once",
            DefaultValueFactory = _ => 1,
            HelpName = "C",
        };
        var duration = new Option<double?>("--duration")
        {
            Description = "Stop sending after this many seconds even if not all requests were sent",
            HelpName = "SECONDS",
        };
        var headers = new Option<string[]>("--header")
        {
            Description = "Request header as NAME:VALUE (repeatable), e.g. for header-based routing",
            HelpName = "NAME:VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        var method = new Option<string>("--method")
        {
            Description = "HTTP method of every request",
            DefaultValueFactory = _ => "GET",
            HelpName = "METHOD",
        };
        var body = new Option<string?>("--body")
        {
            Description = "Request body (sent as application/json unless a Content-Type header is given), e.g. an OpenAI completion request",
            HelpName = "TEXT",
        };
        var disableKeepAlive = new Option<bool>("--disable-keepalive")
        {
            Description = "Open a new connection for every request, so that a Service spreads the requests over its endpoints " +
                          "(kube-proxy balances connections, not requests)",
        };
        var summaryPort = new Option<int?>("--summary-port")
        {
            Description = "Also answer GET /summary on this port with the summary so far, so that a test can read the load's " +
                          "outcome at the moment it chooses and then end the load (e.g. by deleting its Job)",
            HelpName = "PORT",
        };
        var command = new Command(WorkloadRoles.Load,
            "Bounded load generator: sends requests and prints one JSON summary (sent, ok, errors, status counts, " +
            "latency percentiles, and per-pod and per-backend counts of serve-echo answers). Exit 0 when any request succeeded")
        {
            url,
            requests,
            concurrency,
            duration,
            headers,
            method,
            body,
            disableKeepAlive,
            summaryPort,
        };
        command.SetAction(async (parseResult, cancellation) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var plan = LoadPlanParser.Parse(parseResult.GetValue(url), parseResult.GetValue(requests), parseResult.GetValue(concurrency),
                parseResult.GetValue(duration), parseResult.GetValue(headers) ?? [], out var problem);
            plan = plan is null ? null : LoadPlanParser.WithRequest(plan, parseResult.GetValue(method), parseResult.GetValue(body),
                parseResult.GetValue(disableKeepAlive), out problem);
            if (plan is null)
            {
                await error.WriteLineAsync($"load: {problem}");
                return 2;
            }
            if (parseResult.GetValue(summaryPort) is { } port && port is < 1 or > 65535)
            {
                await error.WriteLineAsync($"load: --summary-port is {port}; give a TCP port from 1 to 65535");
                return 2;
            }
            using var watch = host.WatchForStop(error, "summarising what was sent so far", out var stop);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellation, stop);
            using var handler = host.CreateHttpHandler();
            var progress = new LoadProgress(plan);
            HttpRoleServer? summaryServer = null;
            if (parseResult.GetValue(summaryPort) is { } listen)
            {
                try
                {
                    summaryServer = host.Listen(listen, (request, _) => Task.FromResult(request.Url?.AbsolutePath == "/summary" && request.HttpMethod == "GET"
                        ? RoleResponse.Json(200, progress.Summary().ToJsonString())
                        : RoleResponse.Json(404, "{\"error\":\"only GET /summary is served\"}")));
                }
                catch (HttpListenerException e)
                {
                    await error.WriteLineAsync($"load: cannot listen on port {listen}: {e.Message} (is the port in use?)");
                    return 1;
                }
            }
            JsonObject summary;
            await using (summaryServer)
                summary = await LoadGenerator.RunAsync(plan, handler, stopping.Token, progress);
            await output.WriteLineAsync(summary.ToJsonString());
            return summary["ok"]!.GetValue<int>() > 0 ? 0 : 1;
        });
        return command;
    }
}
