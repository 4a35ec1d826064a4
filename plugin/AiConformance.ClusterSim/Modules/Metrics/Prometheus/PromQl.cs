using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AiConformance.ClusterSim.Modules.Metrics.Prometheus;

/// <summary>A query the simulated Prometheus cannot evaluate: malformed, or PromQL it does not model.</summary>
public sealed class QueryNotModelledException(string message) : Exception(message);

/// <summary>One element of an instant vector: labels and value.</summary>
public sealed record VectorElement(IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// The part of PromQL the simulation evaluates, as Prometheus does: instant vector selectors with label matchers
/// (<c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>, regexes anchored at both ends), <c>rate</c> and <c>increase</c> of a range
/// selector (with Prometheus's extrapolation and counter resets), and <c>sum</c>/<c>min</c>/<c>max</c>/<c>avg</c>/<c>count</c>
/// with <c>by (...)</c> or <c>without (...)</c>. Anything else is refused with <see cref="QueryNotModelledException"/>.
/// </summary>
public static class PromQl
{
    /// <summary>How far back an instant selector looks for a sample (Prometheus's default lookback delta).</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromMinutes(5);

    private static readonly string[] Aggregations = ["sum", "min", "max", "avg", "count"];
    private static readonly string[] RangeFunctions = ["rate", "increase"];

    public static IReadOnlyList<VectorElement> Evaluate(string query, SeriesStore store, double time)
    {
        var parser = new Parser(query);
        var expression = parser.Expression();
        parser.End();
        return expression.Evaluate(store, time);
    }

    private abstract record Node
    {
        public abstract IReadOnlyList<VectorElement> Evaluate(SeriesStore store, double time);
    }

    private sealed record Matcher(string Label, string Op, string Value)
    {
        private readonly Regex? regex = Op is "=~" or "!~" ? new Regex($"^(?:{Value})$", RegexOptions.CultureInvariant) : null;

        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var actual = labels.GetValueOrDefault(Label) ?? "";
            return Op switch
            {
                "=" => actual == Value,
                "!=" => actual != Value,
                "=~" => regex!.IsMatch(actual),
                _ => !regex!.IsMatch(actual),
            };
        }
    }

    private sealed record Selector(IReadOnlyList<Matcher> Matchers, TimeSpan? Range) : Node
    {
        public IReadOnlyList<Series> Series(SeriesStore store) => store.Select(labels => Matchers.All(matcher => matcher.Matches(labels)));

        public override IReadOnlyList<VectorElement> Evaluate(SeriesStore store, double time)
        {
            if (Range is not null) throw new QueryNotModelledException("a range vector is not a valid instant query result: give it to rate() or increase()");
            var result = new List<VectorElement>();
            foreach (var series in Series(store))
            {
                var latest = series.Points.LastOrDefault(point => point.Time <= time);
                if (latest == default || latest.Stale || latest.Time < time - Lookback.TotalSeconds) continue;
                result.Add(new VectorElement(series.Labels, latest.Value));
            }
            return result;
        }
    }

    private sealed record RangeCall(string Function, Selector Argument) : Node
    {
        public override IReadOnlyList<VectorElement> Evaluate(SeriesStore store, double time)
        {
            var range = Argument.Range!.Value.TotalSeconds;
            var result = new List<VectorElement>();
            foreach (var series in Argument.Series(store))
            {
                var points = series.Points.Where(point => !point.Stale && point.Time > time - range && point.Time <= time).ToList();
                if (points.Count < 2) continue;
                result.Add(new VectorElement(WithoutName(series.Labels), ExtrapolatedIncrease(points, time - range, time) / (Function == "rate" ? range : 1)));
            }
            return result;
        }

        /// <summary>Prometheus's <c>extrapolatedRate</c> for counters: resets added back, extrapolated towards the window's edges.</summary>
        private static double ExtrapolatedIncrease(List<Point> points, double start, double end)
        {
            var increase = points[^1].Value - points[0].Value;
            for (var i = 1; i < points.Count; i++)
                if (points[i].Value < points[i - 1].Value) increase += points[i - 1].Value;
            var sampled = points[^1].Time - points[0].Time;
            var average = sampled / (points.Count - 1);
            var toStart = points[0].Time - start;
            var toEnd = end - points[^1].Time;
            if (increase > 0 && points[0].Value >= 0)
            {
                var toZero = sampled * (points[0].Value / increase);
                if (toZero < toStart) toStart = toZero;
            }
            var threshold = average * 1.1;
            var extrapolated = sampled + (toStart >= threshold ? average / 2 : toStart) + (toEnd >= threshold ? average / 2 : toEnd);
            return increase * (extrapolated / sampled);
        }
    }

    private sealed record Aggregation(string Operator, IReadOnlyList<string> Grouping, bool Without, Node Argument) : Node
    {
        public override IReadOnlyList<VectorElement> Evaluate(SeriesStore store, double time) =>
            [.. Argument.Evaluate(store, time)
                .GroupBy(element => Group(element.Labels), StringComparer.Ordinal)
                .Select(group => new VectorElement(GroupLabels(group.First().Labels), Operator switch
                {
                    "sum" => group.Sum(element => element.Value),
                    "min" => group.Min(element => element.Value),
                    "max" => group.Max(element => element.Value),
                    "avg" => group.Average(element => element.Value),
                    _ => group.Count(),
                }))];

        private Dictionary<string, string> GroupLabels(IReadOnlyDictionary<string, string> labels) => Without
            ? labels.Where(label => label.Key != "__name__" && !Grouping.Contains(label.Key)).ToDictionary(StringComparer.Ordinal)
            : labels.Where(label => Grouping.Contains(label.Key)).ToDictionary(StringComparer.Ordinal);

        private string Group(IReadOnlyDictionary<string, string> labels) =>
            string.Join(",", GroupLabels(labels).OrderBy(label => label.Key, StringComparer.Ordinal).Select(label => $"{label.Key}={label.Value}"));
    }

    private static Dictionary<string, string> WithoutName(IReadOnlyDictionary<string, string> labels) =>
        labels.Where(label => label.Key != "__name__").ToDictionary(StringComparer.Ordinal);

    /// <summary>A recursive-descent parser over the query text.</summary>
    private sealed class Parser(string text)
    {
        private int at;

        public Node Expression()
        {
            var name = Identifier();
            if (name is null)
                return Peek('{') ? SelectorAfter(null) : throw Unexpected("a metric name, '{', an aggregation or a function");
            if (Aggregations.Contains(name) && (Peek('(') || PeekWord("by") || PeekWord("without"))) return AggregationAfter(name);
            if (RangeFunctions.Contains(name) && Peek('('))
            {
                Expect('(');
                var argument = Expression() as Selector;
                if (argument?.Range is null) throw new QueryNotModelledException($"{name}() takes a range vector selector, e.g. {name}(metric[5m])");
                Expect(')');
                return new RangeCall(name, argument);
            }
            if (Peek('(')) throw new QueryNotModelledException($"function '{name}' is not modelled by the simulated Prometheus (known: {string.Join(", ", Aggregations.Concat(RangeFunctions))})");
            return SelectorAfter(name);
        }

        public void End()
        {
            SkipSpace();
            if (at < text.Length) throw new QueryNotModelledException($"unexpected '{text[at..]}' at position {at}: operators and other PromQL are not modelled by the simulated Prometheus");
        }

        private Node AggregationAfter(string op)
        {
            var (grouping, without) = Grouping();
            Expect('(');
            var argument = Expression();
            Expect(')');
            if (grouping is null) (grouping, without) = Grouping();
            return new Aggregation(op, grouping ?? [], without, argument);
        }

        private (IReadOnlyList<string>? Labels, bool Without) Grouping()
        {
            var without = PeekWord("without");
            if (!without && !PeekWord("by")) return (null, false);
            Identifier();
            Expect('(');
            var labels = new List<string>();
            while (!Peek(')'))
            {
                labels.Add(Identifier() ?? throw Unexpected("a label name"));
                if (!Peek(')')) Expect(',');
            }
            Expect(')');
            return (labels, without);
        }

        private Selector SelectorAfter(string? name)
        {
            var matchers = new List<Matcher>();
            if (name is not null) matchers.Add(new Matcher("__name__", "=", name));
            if (Peek('{'))
            {
                Expect('{');
                while (!Peek('}'))
                {
                    var label = Identifier() ?? throw Unexpected("a label name");
                    SkipSpace();
                    var op = new[] { "=~", "!~", "!=", "=" }.FirstOrDefault(candidate => string.CompareOrdinal(text, at, candidate, 0, candidate.Length) == 0)
                        ?? throw Unexpected("=, !=, =~ or !~");
                    at += op.Length;
                    matchers.Add(new Matcher(label, op, StringLiteral()));
                    if (!Peek('}')) Expect(',');
                }
                Expect('}');
            }
            if (matchers.Count == 0) throw new QueryNotModelledException("vector selector must contain at least one non-empty matcher");
            TimeSpan? range = null;
            if (Peek('['))
            {
                Expect('[');
                range = Duration();
                Expect(']');
            }
            return new Selector(matchers, range);
        }

        private TimeSpan Duration()
        {
            SkipSpace();
            var match = Regex.Match(text[at..], @"^(\d+)(ms|s|m|h|d)");
            if (!match.Success) throw Unexpected("a duration such as 5m");
            at += match.Length;
            var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        private string StringLiteral()
        {
            SkipSpace();
            if (at >= text.Length || text[at] is not ('"' or '\'')) throw Unexpected("a quoted string");
            var quote = text[at++];
            var value = new StringBuilder();
            while (at < text.Length && text[at] != quote)
            {
                var c = text[at++];
                if (c == '\\' && at < text.Length)
                {
                    var escaped = text[at++];
                    value.Append(escaped switch { 'n' => '\n', 't' => '\t', _ => escaped });
                }
                else value.Append(c);
            }
            if (at >= text.Length) throw Unexpected("the end of the string");
            at++;
            return value.ToString();
        }

        private string? Identifier()
        {
            SkipSpace();
            var start = at;
            while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] is '_' or ':') && !(at == start && char.IsAsciiDigit(text[at]))) at++;
            return at > start ? text[start..at] : null;
        }

        private bool Peek(char c)
        {
            SkipSpace();
            return at < text.Length && text[at] == c;
        }

        private bool PeekWord(string word)
        {
            SkipSpace();
            return string.CompareOrdinal(text, at, word, 0, word.Length) == 0
                   && (at + word.Length == text.Length || !char.IsAsciiLetterOrDigit(text[at + word.Length]));
        }

        private void Expect(char c)
        {
            if (!Peek(c)) throw Unexpected($"'{c}'");
            at++;
        }

        private void SkipSpace()
        {
            while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
        }

        private QueryNotModelledException Unexpected(string expected) =>
            new($"parse error at char {at + 1}: expected {expected}, found {(at < text.Length ? $"'{text[at..]}'" : "the end of the query")}");
    }
}
