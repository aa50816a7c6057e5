using System.Resources;
using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers;

/// <summary>The analyzers' titles, messages and descriptions (Resources.resx), looked up by the compiler in its culture.</summary>
internal static class Resources
{
    /// <summary>Gets the manager of Resources.resx.</summary>
    public static ResourceManager Manager { get; } = new("Brigade.Analyzers.Resources", typeof(Resources).Assembly);

    /// <summary>Gets a string of Resources.resx as a localizable string.</summary>
    /// <param name="name">The resource's name.</param>
    /// <returns>The string, looked up when the compiler formats it.</returns>
    public static LocalizableResourceString Get(string name) => new(name, Manager, typeof(Resources));
}
