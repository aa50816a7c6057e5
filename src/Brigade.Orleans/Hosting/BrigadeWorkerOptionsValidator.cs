using Microsoft.Extensions.Options;

namespace Brigade.Orleans;

/// <summary>Validates <see cref="BrigadeWorkerOptions"/> when the silo starts.</summary>
public sealed class BrigadeWorkerOptionsValidator : IValidateOptions<BrigadeWorkerOptions>
{
    /// <summary>Checks that the silo accepts at least one work assembly and that none is listed as <see langword="null"/>.</summary>
    /// <param name="name">The options' name.</param>
    /// <param name="options">The options.</param>
    /// <returns>The validation result.</returns>
    public ValidateOptionsResult Validate(string? name, BrigadeWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.WorkAssemblies.Count == 0)
        {
            return ValidateOptionsResult.Fail(
                "BrigadeWorkerOptions.WorkAssemblies is empty: the silo would reject every work type. Add the assemblies that define your IWork/IAsyncWork types.");
        }

        if (options.WorkAssemblies.Any(a => a is null))
        {
            return ValidateOptionsResult.Fail("BrigadeWorkerOptions.WorkAssemblies contains null.");
        }

        return ValidateOptionsResult.Success;
    }
}
