using System.Text;

namespace Brigade.Cli.Run;

/// <summary>RFC 4180 records: comma-separated, double-quoted fields may hold commas, quotes ("") and newlines.</summary>
internal static class Csv
{
    public static bool TryParse(string record, out IReadOnlyList<string> fields, out string? error)
    {
        var result = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            if (i < record.Length && record[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= record.Length)
                    {
                        fields = result;
                        error = "unterminated quoted field";
                        return false;
                    }

                    if (record[i] == '"')
                    {
                        if (i + 1 < record.Length && record[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(record[i++]);
                }

                if (i < record.Length && record[i] != ',')
                {
                    fields = result;
                    error = $"unexpected character '{record[i]}' after a quoted field";
                    return false;
                }
            }
            else
            {
                while (i < record.Length && record[i] != ',')
                {
                    if (record[i] == '"')
                    {
                        fields = result;
                        error = "quote inside an unquoted field";
                        return false;
                    }

                    field.Append(record[i++]);
                }
            }

            result.Add(field.ToString());
            if (i >= record.Length)
            {
                break;
            }

            i++; // the comma
        }

        fields = result;
        error = null;
        return true;
    }
}
