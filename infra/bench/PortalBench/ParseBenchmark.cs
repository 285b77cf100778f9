using System.Diagnostics;
using System.Text;
using Portal.Core.Features.Evidence.Email;

namespace PortalBench;

/// <summary>
/// Email reader throughput (issue 3): a corpus of typical extortion emails (plain and
/// quoted-printable text in Finnish, HTML alternatives, Latin-1 subjects, a base64 PDF and
/// image attachment on some) read over and over on one thread; reports MiB/s of raw email.
/// </summary>
internal static class ParseBenchmark
{
    public static int Run(int megabytes)
    {
        var corpus = Enumerable.Range(0, 200).Select(Sample).ToList();
        var corpusBytes = corpus.Sum(m => (long)m.Length);
        Console.WriteLine($"# Email reader benchmark, corpus of {corpus.Count} messages ({corpusBytes / 1024.0 / 1024:0.0} MiB), {megabytes} MiB read, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

        // Warm-up (JIT, code pages).
        foreach (var message in corpus)
        {
            EmailReader.Read(message);
        }

        var target = (long)megabytes * 1024 * 1024;
        long read = 0;
        var messages = 0;
        var warnings = 0;
        var clock = Stopwatch.StartNew();
        while (read < target)
        {
            foreach (var message in corpus)
            {
                warnings += EmailReader.Read(message).Warnings.Count;
                read += message.Length;
                messages++;
            }
        }

        var rate = read / clock.Elapsed.TotalSeconds / 1024 / 1024;
        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| messages read | {messages} ({warnings} warnings) |");
        Console.WriteLine($"| throughput, one thread | {rate:0} MiB/s ({messages / clock.Elapsed.TotalSeconds:0} messages/s) |");
        Console.WriteLine();
        Console.WriteLine($"target: >= 50 MB/s: {(rate * 1.048576 >= 50 ? "met" : "NOT met")}");
        return rate * 1.048576 >= 50 ? 0 : 1;
    }

    private static byte[] Sample(int i)
    {
        var random = new Random(i);
        var text = new StringBuilder();
        for (var line = 0; line < 20 + random.Next(60); line++)
        {
            text.Append("Hyvä vastaanottaja, terapiamuistiinpanosi julkaistaan, ellet maksa 0,").Append(random.Next(1, 9))
                .Append(" BTC osoitteeseen bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq 48 tunnin sisällä. Rivi ").Append(line).Append(".\r\n");
        }

        var body = text.ToString();
        var headers = $"Return-Path: <bounce{i}@mailer.example>\r\n"
            + $"Received: from relay{i}.example (relay{i}.example [198.51.100.{i % 250}])\r\n\tby mx.victim.example with ESMTPS id {i:x8}; Thu, 22 Oct 2020 09:{i % 60:D2}:03 +0300\r\n"
            + "Received: from [10.0.0.5] (unknown [203.0.113.77])\r\n\tby relay.example with ESMTP; Thu, 22 Oct 2020 08:59:01 +0300\r\n"
            + "DKIM-Signature: v=1; a=rsa-sha256; d=mailer.example; s=s1; h=from:to:subject; bh=abc=; b=def=\r\n"
            + "Authentication-Results: mx.victim.example; spf=pass smtp.mailfrom=mailer.example; dkim=pass header.d=mailer.example\r\n"
            + $"From: =?ISO-8859-1?Q?Ryhm=E4_{i}?= <ransom{i}@mailer.example>\r\n"
            + "To: victim@victim.example\r\n"
            + "Subject: =?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes($"Terapiamuistiinpanosi {i} – maksa heti")) + "?=\r\n"
            + "Date: Thu, 22 Oct 2020 09:13:58 +0300\r\n"
            + $"Message-ID: <{i}@mailer.example>\r\nMIME-Version: 1.0\r\n";
        string message;
        switch (i % 4)
        {
            case 0:
                message = headers + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body;
                break;
            case 1:
                message = headers + "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + QuotedPrintable(body);
                break;
            case 2:
                message = headers + "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                    + Base64(Encoding.UTF8.GetBytes(body)) + "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>" + body.Replace("\r\n", "</p><p>", StringComparison.Ordinal) + "</p></body></html>\r\n--alt--\r\n";
                break;
            default:
                var attachment = new byte[20_000 + random.Next(80_000)];
                random.NextBytes(attachment);
                message = headers + "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
                    + "--mix\r\nContent-Type: application/pdf; name=\"todiste.pdf\"\r\nContent-Disposition: attachment; filename=\"todiste.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                    + Base64(attachment) + "--mix--\r\n";
                break;
        }

        return Encoding.UTF8.GetBytes(message);
    }

    private static string Base64(byte[] data)
    {
        var encoded = Convert.ToBase64String(data);
        var lines = new StringBuilder();
        for (var i = 0; i < encoded.Length; i += 76)
        {
            lines.Append(encoded, i, Math.Min(76, encoded.Length - i)).Append("\r\n");
        }

        return lines.ToString();
    }

    private static string QuotedPrintable(string text)
    {
        var output = new StringBuilder();
        foreach (var b in Encoding.Latin1.GetBytes(text))
        {
            output.Append(b is >= 33 and <= 126 and not (byte)'=' || b is (byte)' ' or (byte)'\r' or (byte)'\n' ? ((char)b).ToString() : $"={b:X2}");
        }

        return output.ToString();
    }
}
