using System.Globalization;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using k8s.Models;

namespace AiConformance.ClusterSim.Modules.Dra;

/// <summary>The CEL expression uses something outside the subset the simulation evaluates.</summary>
public sealed class UnsupportedCelException(string expression, int position, string what)
    : Exception($"CEL expression \"{expression}\" is not supported by the simulated scheduler at column {position + 1}: {what}. " +
                "Supported: device.driver, device.attributes['domain'].name, device.capacity['domain'].name, " +
                "literals, quantity('..'), ==, !=, <, <=, >, >=, .compareTo(), &&, ||, ! and parentheses.");

/// <summary>A device as a selector sees it: driver, attributes and capacity from its ResourceSlice entry.</summary>
public sealed record DeviceFacts(string Driver, JsonObject Attributes, JsonObject Capacity);

/// <summary>
/// The subset of CEL that DRA drivers' DeviceClasses and typical claims use, parsed once and evaluated per device.
/// A missing attribute makes the comparison false (real CEL raises "no such key", which also excludes the device).
/// </summary>
public sealed class DeviceSelector
{
    private readonly Func<DeviceFacts, object?> evaluate;

    private DeviceSelector(string expression, Func<DeviceFacts, object?> evaluate)
    {
        Expression = expression;
        this.evaluate = evaluate;
    }

    public string Expression { get; }

    /// <exception cref="UnsupportedCelException">The expression is outside the supported subset.</exception>
    public static DeviceSelector Parse(string expression) => new(expression, new Parser(expression).ParseAll());

    public bool Matches(DeviceFacts device) => evaluate(device) is true;

    private sealed record Missing;

    private sealed class Parser(string text)
    {
        private int position;

        public Func<DeviceFacts, object?> ParseAll()
        {
            var result = Or();
            SkipSpace();
            if (position < text.Length) throw Unsupported($"unexpected '{text[position..]}'");
            return result;
        }

        private Func<DeviceFacts, object?> Or()
        {
            var left = And();
            while (Accept("||"))
            {
                var l = left; var r = And();
                left = d => l(d) is true || r(d) is true;
            }
            return left;
        }

        private Func<DeviceFacts, object?> And()
        {
            var left = Not();
            while (Accept("&&"))
            {
                var l = left; var r = Not();
                left = d => l(d) is true && r(d) is true;
            }
            return left;
        }

        private Func<DeviceFacts, object?> Not()
        {
            if (Peek("!=")) return Comparison();
            if (Accept("!"))
            {
                var inner = Not();
                return d => inner(d) is bool b ? !b : false;
            }
            return Comparison();
        }

        private Func<DeviceFacts, object?> Comparison()
        {
            var left = Member();
            foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                if (!Accept(op)) continue;
                var right = Member();
                return d => Compare(left(d), right(d), op);
            }
            return left;
        }

        private Func<DeviceFacts, object?> Member()
        {
            var start = position;
            Func<DeviceFacts, object?> value = Primary();
            while (true)
            {
                if (Accept("."))
                {
                    var name = Identifier();
                    if (Accept("("))
                    {
                        if (name != "compareTo") throw Unsupported($"method '{name}()'", start);
                        var argument = Or();
                        Expect(")");
                        var target = value;
                        value = d => CompareValues(target(d), argument(d)) is { } c ? (long)Math.Sign(c) : new Missing();
                        continue;
                    }
                    var owner = value;
                    value = d => owner(d) switch
                    {
                        DeviceFacts facts when name == "driver" => facts.Driver,
                        DeviceFacts when name is "attributes" or "capacity" => new Section(name),
                        Scoped scoped => scoped.Lookup(name),
                        _ => new Missing(),
                    };
                    if (name is not ("driver" or "attributes" or "capacity") && !IsScopedAccess(start))
                        throw Unsupported($"field '{name}'", start);
                    continue;
                }
                if (Accept("["))
                {
                    var domain = StringLiteral();
                    Expect("]");
                    var owner = value;
                    value = d => owner(d) is Section section ? new Scoped(d, section.Name, domain) : new Missing();
                    continue;
                }
                return value;
            }
        }

        /// <summary>A field after <c>device.attributes['x']</c> is an attribute name; anything else is not supported.</summary>
        private bool IsScopedAccess(int start) => text[start..position].Contains(']');

        private Func<DeviceFacts, object?> Primary()
        {
            SkipSpace();
            if (Accept("("))
            {
                var inner = Or();
                Expect(")");
                return inner;
            }
            if (position < text.Length && text[position] is '\'' or '"')
            {
                var literal = StringLiteral();
                return _ => literal;
            }
            if (position < text.Length && (char.IsDigit(text[position]) || text[position] == '-'))
            {
                var start = position++;
                while (position < text.Length && char.IsDigit(text[position])) position++;
                var number = long.Parse(text[start..position], CultureInfo.InvariantCulture);
                return _ => number;
            }
            var at = position;
            var name = Identifier();
            switch (name)
            {
                case "device": return d => d;
                case "true": return _ => true;
                case "false": return _ => false;
                case "quantity":
                    Expect("(");
                    var quantity = StringLiteral();
                    Expect(")");
                    var parsed = new ResourceQuantity(quantity).ToDecimal();
                    return _ => parsed;
                default: throw Unsupported($"identifier '{name}'", at);
            }
        }

        private string Identifier()
        {
            SkipSpace();
            var start = position;
            while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_')) position++;
            if (start == position) throw Unsupported(position < text.Length ? $"unexpected '{text[position]}'" : "unexpected end");
            return text[start..position];
        }

        private string StringLiteral()
        {
            SkipSpace();
            if (position >= text.Length || text[position] is not ('\'' or '"')) throw Unsupported("expected a string literal");
            var quote = text[position++];
            var end = text.IndexOf(quote, position);
            if (end < 0) throw Unsupported("unterminated string");
            var value = text[position..end];
            position = end + 1;
            return value;
        }

        private bool Peek(string token)
        {
            SkipSpace();
            return string.CompareOrdinal(text, position, token, 0, token.Length) == 0;
        }

        private bool Accept(string token)
        {
            if (!Peek(token)) return false;
            position += token.Length;
            return true;
        }

        private void Expect(string token)
        {
            if (!Accept(token)) throw Unsupported($"expected '{token}'");
        }

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
        }

        private UnsupportedCelException Unsupported(string what, int? at = null) => new(text, at ?? position, what);
    }

    private sealed record Section(string Name);

    /// <summary><c>device.attributes['domain']</c> or <c>device.capacity['domain']</c>: names resolve within the domain.</summary>
    private sealed record Scoped(DeviceFacts Device, string Section, string Domain)
    {
        public object? Lookup(string name)
        {
            var map = Section == "attributes" ? Device.Attributes : Device.Capacity;
            // Attributes of the driver's own domain are stored unqualified; others as "domain/name".
            var entry = map[$"{Domain}/{name}"] ?? (Domain == Device.Driver ? map[name] : null);
            if (entry is not JsonObject value) return new Missing();
            if (Section == "capacity") return value["value"] is { } q ? new ResourceQuantity((string?)q).ToDecimal() : new Missing();
            if (value["string"] is { } s) return (string?)s;
            if (JsonNumber.Long(value["int"]) is { } i) return i;
            if (value["bool"] is { } b) return (bool)b;
            if (value["version"] is { } v) return new SemanticVersion((string?)v ?? "");
            return new Missing();
        }
    }

    private sealed record SemanticVersion(string Text) : IComparable<SemanticVersion>
    {
        public int CompareTo(SemanticVersion? other) =>
            Version.TryParse(Text.Split('-')[0], out var a) && Version.TryParse(other?.Text.Split('-')[0], out var b)
                ? a.CompareTo(b)
                : string.CompareOrdinal(Text, other?.Text);
    }

    private static object Compare(object? left, object? right, string op)
    {
        if (left is Missing || right is Missing) return false;
        if (op is "==" or "!=")
        {
            var equal = CompareValues(left, right) is 0;
            return op == "==" ? equal : !equal;
        }
        if (CompareValues(left, right) is not { } c) return false;
        return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
    }

    private static int? CompareValues(object? left, object? right) => (left, right) switch
    {
        (string a, string b) => string.CompareOrdinal(a, b),
        (long a, long b) => a.CompareTo(b),
        (decimal a, decimal b) => a.CompareTo(b),
        (long a, decimal b) => ((decimal)a).CompareTo(b),
        (decimal a, long b) => a.CompareTo(b),
        (bool a, bool b) => a.CompareTo(b),
        (SemanticVersion a, SemanticVersion b) => a.CompareTo(b),
        (SemanticVersion a, string b) => a.CompareTo(new SemanticVersion(b)),
        _ => null,
    };
}
