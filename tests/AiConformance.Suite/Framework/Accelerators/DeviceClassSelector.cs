using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Which published devices a DeviceClass selects, for the CEL forms drivers' classes use: conjunctions of
/// <c>device.driver == '…'</c> and <c>device.attributes['domain'].name == value</c>. A clause it does not understand
/// is taken as matching, and the class is marked <see cref="Approximate"/>: the scheduler has the last word anyway.
/// </summary>
public sealed partial class DeviceClassSelector
{
    private readonly List<Func<PublishedDevice, bool>> clauses = [];

    [GeneratedRegex(@"^device\.driver\s*==\s*['""](?<driver>[^'""]+)['""]$")]
    private static partial Regex DriverClause();

    [GeneratedRegex(@"^device\.attributes\[['""](?<domain>[^'""]+)['""]\]\.(?<name>\w+)\s*==\s*(?<value>.+)$")]
    private static partial Regex AttributeClause();

    public DeviceClassSelector(V1DeviceClass deviceClass)
    {
        Name = deviceClass.Metadata.Name;
        ExtendedResourceName = deviceClass.Spec?.ExtendedResourceName;
        foreach (var selector in deviceClass.Spec?.Selectors ?? [])
        {
            var expression = selector.Cel?.Expression;
            if (expression is null) continue;
            foreach (var clause in expression.Split("&&", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                clauses.Add(Parse(clause.Trim('(', ')', ' ')));
        }
    }

    public string Name { get; }

    public string? ExtendedResourceName { get; }

    /// <summary>The driver the class names, when it names one.</summary>
    public string? Driver { get; private set; }

    public bool Approximate { get; private set; }

    public bool Selects(PublishedDevice device) => clauses.All(clause => clause(device));

    private Func<PublishedDevice, bool> Parse(string clause)
    {
        if (DriverClause().Match(clause) is { Success: true } driver)
        {
            var name = driver.Groups["driver"].Value;
            Driver ??= name;
            return device => device.Driver == name;
        }
        if (AttributeClause().Match(clause) is { Success: true } attribute)
        {
            var qualified = $"{attribute.Groups["domain"].Value}/{attribute.Groups["name"].Value}";
            var expected = attribute.Groups["value"].Value.Trim().Trim('\'', '"');
            return device => Matches(device, qualified, attribute.Groups["name"].Value, expected);
        }
        Approximate = true;
        return _ => true;
    }

    private static bool Matches(PublishedDevice device, string qualified, string shortName, string expected)
    {
        var value = device.Attributes.TryGetValue(qualified, out var found) ? found
            : qualified.StartsWith(device.Driver + "/", StringComparison.Ordinal) ? device.Attribute(shortName) : null;
        return value switch
        {
            null => false,
            { StringValue: { } text } => text == expected,
            { Version: { } version } => version == expected,
            { IntValue: { } number } => number.ToString(CultureInfo.InvariantCulture) == expected,
            { BoolValue: { } flag } => flag.ToString().Equals(expected, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }
}
