using System.Globalization;
using System.Text;
using AiConformance.Workloads.Probe;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// The common utilities of container images, for commands like <c>sh -c "nvidia-smi -L; sleep 3600"</c>: lists
/// separated by <c>;</c>, <c>&amp;&amp;</c>, <c>||</c>, newlines, background <c>&amp;</c>, pipes into grep/head/wc,
/// and echo, printf, sleep, env, printenv, export, cat (files, or stdin as attach sends it), ls, test, hostname, uname, true, false, exit, trap, wait,
/// plus every program the container view provides (nvidia-smi). Anything else prints "not found" and exits 127 —
/// and is logged as a modelling gap, never silently passed.
/// </summary>
public sealed class ShellProgram : IContainerProgram
{
    private static readonly string[] Shells = ["sh", "bash", "ash", "dash"];

    private readonly IReadOnlyList<string> commandLine;

    private ShellProgram(IReadOnlyList<string> commandLine) => this.commandLine = commandLine;

    /// <summary>The shell program for a command line that is a shell script or one simple command; null if empty.</summary>
    public static ShellProgram? For(IReadOnlyList<string> commandLine) => commandLine.Count == 0 ? null : new ShellProgram(commandLine);

    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        var script = Shells.Contains(Path.GetFileName(commandLine[0])) && commandLine.Count >= 3 && commandLine[1] is "-c" or "-ec" or "-xc" or "-lc"
            ? commandLine[2]
            : string.Join(' ', commandLine.Select(Quote));
        var session = new Session(context, cancellationToken);
        try
        {
            return await session.RunScriptAsync(script);
        }
        catch (ExitException exit)
        {
            return exit.Code;
        }
    }

    private static string Quote(string word) => word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";

    private sealed class ExitException(int code) : Exception
    {
        public int Code { get; } = code;
    }

    private sealed class Session(ProgramContext context, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, string> variables = new(context.View.Environment, StringComparer.Ordinal);
        private readonly List<Task> background = [];
        private int status;

        public async Task<int> RunScriptAsync(string script)
        {
            foreach (var (pipeline, separator) in Split(script))
            {
                if (separator == "&&" && status != 0) continue;
                if (separator == "||" && status == 0) continue;
                if (pipeline.EndsWith('&'))
                {
                    var job = pipeline.TrimEnd('&').Trim();
                    background.Add(Task.Run(() => RunPipelineAsync(job, context.Write), cancellationToken));
                    status = 0;
                    continue;
                }
                status = await RunPipelineAsync(pipeline, context.Write);
            }
            return status;
        }

        /// <summary>Splits on ; newline &amp;&amp; || outside quotes; the separator is the one before each part.</summary>
        private static IEnumerable<(string Part, string Separator)> Split(string script)
        {
            var current = new StringBuilder();
            var separator = ";";
            char? quote = null;
            for (var i = 0; i < script.Length; i++)
            {
                var c = script[i];
                if (quote is not null) { if (c == quote) quote = null; current.Append(c); continue; }
                if (c is '\'' or '"') { quote = c; current.Append(c); continue; }
                string? next = c switch
                {
                    '\n' or ';' => ";",
                    '&' when i + 1 < script.Length && script[i + 1] == '&' => "&&",
                    '|' when i + 1 < script.Length && script[i + 1] == '|' => "||",
                    _ => null,
                };
                if (c == '&' && next is null) { current.Append('&'); yield return (current.ToString().Trim(), separator); current.Clear(); separator = ";"; continue; }
                if (next is null) { current.Append(c); continue; }
                if (next.Length == 2) i++;
                if (current.ToString().Trim().Length > 0) yield return (current.ToString().Trim(), separator);
                current.Clear();
                separator = next;
            }
            if (current.ToString().Trim().Length > 0) yield return (current.ToString().Trim(), separator);
        }

        private async Task<int> RunPipelineAsync(string pipeline, Action<string> write)
        {
            var stages = SplitPipes(pipeline);
            if (stages.Count == 1) return await RunCommandAsync(Words(stages[0]), write);
            var buffer = new StringBuilder();
            var code = await RunCommandAsync(Words(stages[0]), text => buffer.Append(text));
            foreach (var stage in stages.Skip(1))
            {
                var input = buffer.ToString();
                buffer.Clear();
                code = Filter(Words(stage), input, text => buffer.Append(text));
            }
            write(buffer.ToString());
            return code;
        }

        private static List<string> SplitPipes(string pipeline)
        {
            var parts = new List<string>();
            var current = new StringBuilder();
            char? quote = null;
            foreach (var c in pipeline)
            {
                if (quote is not null) { if (c == quote) quote = null; current.Append(c); continue; }
                if (c is '\'' or '"') quote = c;
                if (c == '|') { parts.Add(current.ToString().Trim()); current.Clear(); continue; }
                current.Append(c);
            }
            parts.Add(current.ToString().Trim());
            return parts;
        }

        /// <summary>Words with quotes removed, $VAR and ${VAR} expanded, redirections dropped.</summary>
        private List<string> Words(string command)
        {
            var words = new List<string>();
            var current = new StringBuilder();
            var inWord = false;
            for (var i = 0; i < command.Length; i++)
            {
                var c = command[i];
                if (char.IsWhiteSpace(c)) { if (inWord) words.Add(current.ToString()); current.Clear(); inWord = false; continue; }
                inWord = true;
                if (c == '\'') { var end = command.IndexOf('\'', i + 1); if (end < 0) end = command.Length; current.Append(command[(i + 1)..end]); i = end; continue; }
                if (c == '"')
                {
                    var end = i + 1;
                    while (end < command.Length && command[end] != '"') end++;
                    current.Append(Expand(command[(i + 1)..Math.Min(end, command.Length)]));
                    i = end;
                    continue;
                }
                if (c == '$')
                {
                    var (value, consumed) = Variable(command, i);
                    current.Append(value);
                    i += consumed - 1;
                    continue;
                }
                if (c == '\\' && i + 1 < command.Length) { current.Append(command[++i]); continue; }
                current.Append(c);
            }
            if (inWord) words.Add(current.ToString());
            return words.Where(w => !(w.StartsWith('>') || w.StartsWith("2>") || w.StartsWith("1>") || w == "<")).ToList();
        }

        private string Expand(string text)
        {
            var result = new StringBuilder();
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] != '$') { result.Append(text[i]); continue; }
                var (value, consumed) = Variable(text, i);
                result.Append(value);
                i += consumed - 1;
            }
            return result.ToString();
        }

        private (string Value, int Consumed) Variable(string text, int at)
        {
            if (at + 1 >= text.Length) return ("$", 1);
            if (text[at + 1] == '?') return (status.ToString(CultureInfo.InvariantCulture), 2);
            if (text[at + 1] == '{')
            {
                var end = text.IndexOf('}', at);
                if (end < 0) return ("$", 1);
                var name = text[(at + 2)..end].Split(':')[0];
                return (variables.GetValueOrDefault(name, ""), end - at + 1);
            }
            var length = 1;
            while (at + length < text.Length && (char.IsLetterOrDigit(text[at + length]) || text[at + length] == '_')) length++;
            return length == 1 ? ("$", 1) : (variables.GetValueOrDefault(text[(at + 1)..(at + length)], ""), length);
        }

        private async Task<int> RunCommandAsync(List<string> words, Action<string> write)
        {
            while (words.Count > 0 && words[0].Contains('=') && !words[0].StartsWith('=')) // VAR=value prefix
            {
                var (name, value) = (words[0][..words[0].IndexOf('=')], words[0][(words[0].IndexOf('=') + 1)..]);
                variables[name] = value;
                words.RemoveAt(0);
            }
            if (words.Count == 0) return 0;
            var name0 = Path.GetFileName(words[0]);
            var args = words.Skip(1).ToList();
            switch (name0)
            {
                case "echo":
                    var newline = args.FirstOrDefault() != "-n";
                    if (!newline) args.RemoveAt(0);
                    write(string.Join(' ', args) + (newline ? "\n" : ""));
                    return 0;
                case "printf":
                    if (args.Count == 0) return 1;
                    var format = args[0].Replace("\\n", "\n").Replace("\\t", "\t");
                    foreach (var arg in args.Skip(1)) { var at = format.IndexOf("%s", StringComparison.Ordinal); if (at < 0) break; format = format[..at] + arg + format[(at + 2)..]; }
                    write(format);
                    return 0;
                case "sleep":
                    await SleepAsync(args.FirstOrDefault());
                    return 0;
                case "true" or ":" or "trap" or "set" or "cd" or "ulimit" or "umask":
                    return 0;
                case "false":
                    return 1;
                case "exit":
                    throw new ExitException(args.Count > 0 && int.TryParse(args[0], out var code) ? code : status);
                case "wait":
                    await Task.WhenAll(background);
                    return 0;
                case "env" or "printenv" when args.Count == 0:
                    write(string.Concat(variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}\n")));
                    return 0;
                case "printenv":
                    if (!variables.TryGetValue(args[0], out var single)) return 1;
                    write(single + "\n");
                    return 0;
                case "export" when args.Count == 0 || args[0] == "-p":
                    write(string.Concat(variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"declare -x {v.Key}=\"{v.Value}\"\n")));
                    return 0;
                case "export":
                    foreach (var assignment in args.Where(a => a.Contains('='))) variables[assignment[..assignment.IndexOf('=')]] = assignment[(assignment.IndexOf('=') + 1)..];
                    return 0;
                case "cat" when args.Count == 0:
                    // Copies stdin as it comes (attach); a process without open stdin reads end of file at once.
                    if (context.Stdin is { } stdin)
                        await foreach (var text in stdin.ReadAllAsync(cancellationToken)) write(text);
                    return 0;
                case "cat":
                    var ok = 0;
                    foreach (var file in args)
                    {
                        if (context.View.ReadText(file) is { } text) write(text);
                        else { write($"cat: {file}: No such file or directory\n"); ok = 1; }
                    }
                    return ok;
                case "ls":
                    var directory = args.LastOrDefault(a => !a.StartsWith('-')) ?? "/";
                    if (!context.View.Exists(directory)) { write($"ls: cannot access '{directory}': No such file or directory\n"); return 2; }
                    var entries = context.View.List(directory);
                    write(entries.Count == 0 ? directory + "\n" : string.Concat(entries.Select(e => Path.GetFileName(e) + "\n")));
                    return 0;
                case "test" or "[":
                    var operands = args.Where(a => a != "]").ToList();
                    return operands is [var flag, var path] && flag is "-e" or "-f" or "-c" or "-d" ? (context.View.Exists(path) ? 0 : 1) : 2;
                case "hostname":
                    write((context.View.ReadText("/etc/hostname")?.Trim() ?? "") + "\n");
                    return 0;
                case "uname":
                    var release = context.View.ReadText("/proc/sys/kernel/osrelease")?.Trim() ?? "";
                    write((args.Contains("-r") ? release : args.Contains("-a") ? $"Linux {context.View.ReadText("/etc/hostname")?.Trim()} {release} #1 SMP x86_64 GNU/Linux" : "Linux") + "\n");
                    return 0;
            }
            if (context.View.Run(name0, [.. args]) is { } output)
            {
                write(output.StandardOutput + output.StandardError);
                return output.ExitCode;
            }
            context.Cluster.Log.Warn(context.Component, $"image {context.Image}: program '{name0}' is not modelled; add a `programs:` rule to the scenario");
            write($"sh: 1: {name0}: not found\n");
            return 127;
        }

        private async Task SleepAsync(string? duration)
        {
            if (duration is null or "infinity" || !double.TryParse(duration.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue / 1000.0)), cancellationToken);
        }

        private static int Filter(List<string> words, string input, Action<string> write)
        {
            var lines = input.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault())
            {
                case "grep":
                    var invert = words.Contains("-v");
                    var pattern = words.Skip(1).LastOrDefault(w => !w.StartsWith('-')) ?? "";
                    var regex = new System.Text.RegularExpressions.Regex(pattern.Replace("\\|", "|"));
                    var matched = lines.Where(l => regex.IsMatch(l) != invert).ToList();
                    write(string.Concat(matched.Select(l => l + "\n")));
                    return matched.Count > 0 ? 0 : 1;
                case "head":
                    var take = words.Count > 2 && words[1] == "-n" && int.TryParse(words[2], out var n) ? n : 10;
                    write(string.Concat(lines.Take(take).Select(l => l + "\n")));
                    return 0;
                case "tail":
                    var last = words.Count > 2 && words[1] == "-n" && int.TryParse(words[2], out var m) ? m : 10;
                    write(string.Concat(lines.TakeLast(last).Select(l => l + "\n")));
                    return 0;
                case "wc":
                    write(lines.Length + "\n");
                    return 0;
                default:
                    write(input);
                    return 0;
            }
        }
    }
}
