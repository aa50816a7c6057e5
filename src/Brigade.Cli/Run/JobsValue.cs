using System.CommandLine.Parsing;
using System.Globalization;

namespace Brigade.Cli.Run;

/// <summary>
/// <c>brigade run --jobs</c>'s value: a number of jobs (0: as many <c>--exec</c> commands as the system allows), or GNU
/// parallel's forms relative to the cores: <c>+N</c> (the cores plus N), <c>-N</c> (the cores minus N, at least 1) and
/// <c>N%</c> (that share of the cores, at least 1).
/// </summary>
/// <remarks>Review 60: <c>-j +2</c> ran 2 jobs where a GNU parallel script meant the cores plus two, and <c>-j -1</c> (every
/// core but one) and <c>-j 50%</c> were refused.</remarks>
internal static class JobsValue
{
    /// <summary>Parses the option's token; a value of no form above is a one-line usage error.</summary>
    public static int? Parse(ArgumentResult result) => Parse(result, Environment.ProcessorCount);

    /// <summary>Parses the option's token against <paramref name="cores"/> (a test's count).</summary>
    internal static int? Parse(ArgumentResult result, int cores)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Evaluate(text, cores) is { } jobs)
        {
            return jobs;
        }

        // Digits alone, too many of them: said as every whole-number option says it (CliApp).
        result.AddError(text.Length > 0 && text.All(char.IsAsciiDigit)
            ? $"--jobs: '{text}' is not a whole number (at most 2,147,483,647)"
            : $"--jobs: '{text}' is not a number of jobs: give N (0: as many --exec commands as the system allows), or +N, -N or N% of the {cores} cores, as GNU parallel reads them");
        return null;
    }

    /// <summary>The number of jobs <paramref name="text"/> asks for on <paramref name="cores"/> cores, or null.</summary>
    internal static int? Evaluate(string text, int cores)
    {
        const NumberStyles Digits = NumberStyles.None;
        var culture = CultureInfo.InvariantCulture;
        if (int.TryParse(text, Digits, culture, out var n))
        {
            return n;
        }

        if (text.Length > 1 && text[0] is '+' or '-' && int.TryParse(text.AsSpan(1), Digits, culture, out n))
        {
            return text[0] == '+' ? (int)Math.Min(int.MaxValue, (long)cores + n) : Math.Max(1, cores - n);
        }

        return text.Length > 1 && text[^1] == '%' && int.TryParse(text.AsSpan(0, text.Length - 1), Digits, culture, out n)
            ? (int)Math.Clamp((long)cores * n / 100, 1, int.MaxValue)
            : null;
    }
}
