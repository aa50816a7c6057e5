using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// Short keys that name brigade's state files after a path or a command (a journal in the state directory, a finished
/// run's record): XXH128, not a cryptographic hash. These keys tell one run's files from another's; nothing relies on
/// them being hard to forge, and SHA-256 on .NET is OpenSSL, which a run would otherwise load for this alone (~5 MiB
/// of memory and ~10 ms of start-up, docs/performance.md).
/// </summary>
internal static class StableKey
{
    /// <summary>Gets the 16-hex-digit key of <paramref name="text"/>.</summary>
    public static string Of(string text) => Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>
    /// Gets the key an earlier brigade gave <paramref name="text"/> (SHA-256): only for finding the state files of a run
    /// interrupted before an upgrade, on <c>--resume</c>.
    /// </summary>
    public static string LegacyOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
