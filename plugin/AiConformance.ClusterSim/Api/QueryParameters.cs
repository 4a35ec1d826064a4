using System.Globalization;
using AiConformance.ClusterSim.Store;
using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// Query parameters decoded as kube-apiserver's parameter codec decodes them (apimachinery's
/// <c>Convert_Slice_string_To_bool</c> and <c>_To_int64</c>): only the first value counts; a boolean is false only
/// when absent, <c>0</c> or <c>false</c> in any case, so <c>watch=True</c> (Python) and <c>watch=1</c> both watch;
/// an integer is Go's <c>strconv.ParseInt</c> and a bad one is a 400 with Go's error text.
/// </summary>
public static class QueryParameters
{
    public static bool Bool(IQueryCollection query, string name) => OptionalBool(query, name) ?? false;

    /// <summary>Null when the parameter is absent (as for <c>sendInitialEvents</c>, a <c>*bool</c>).</summary>
    public static bool? OptionalBool(IQueryCollection query, string name) =>
        First(query, name) is { } value ? !(value == "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase)) : null;

    /// <summary>Null when absent; a value that Go's <c>strconv.ParseInt(s, 10, 64)</c> refuses is a 400.</summary>
    public static long? Int64(IQueryCollection query, string name)
    {
        if (First(query, name) is not { } text) return null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        var digits = text.TrimStart('+', '-');
        var outOfRange = digits.Length > 0 && text.Length - digits.Length <= 1 && digits.All(char.IsAsciiDigit);
        throw StatusException.BadRequest($"strconv.ParseInt: parsing {GoQuote(text)}: {(outOfRange ? "value out of range" : "invalid syntax")}");
    }

    public static string? String(IQueryCollection query, string name) => First(query, name);

    private static string? First(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] ?? "" : null;

    private static string GoQuote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
