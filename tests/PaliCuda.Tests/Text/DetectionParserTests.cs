using System.Text.Json;
using NUnit.Framework;
using PaliCuda.Text;

namespace PaliCuda.Tests.Text;

public class DetectionParserTests
{
    // The ground-truth answers quantised boxes to 1024 bins of (side / 1023) pixels, and expected.json rounds the
    // true boxes to 0.01 px: a parsed edge is within half a bin plus that rounding of the true edge.
    private const double BoxRoundingPixels = 0.005;

    private static double Tolerance(int side) => 0.5 * side / 1023.0 + BoxRoundingPixels + 1e-9;

    [Test]
    public void GroundTruthAnswersParseToTheDrawnBoxes()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.DemoModel("expected.json")));
        int checkedBoxes = 0;
        foreach (var sample in doc.RootElement.GetProperty("samples").EnumerateArray())
        {
            int width = sample.GetProperty("width").GetInt32(), height = sample.GetProperty("height").GetInt32();
            var objects = sample.GetProperty("objects").EnumerateArray()
                .Select(o => (Shape: o.GetProperty("shape").GetString()!, Color: o.GetProperty("color").GetString()!,
                              Box: o.GetProperty("box_xyxy_pixels").EnumerateArray().Select(v => v.GetDouble()).ToArray()))
                .ToList();
            foreach (var c in sample.GetProperty("cases").EnumerateArray())
            {
                if (!c.GetProperty("prompt").GetString()!.StartsWith("detect", StringComparison.Ordinal))
                    continue;
                string text = c.GetProperty("ground_truth_text").GetString()!;
                var boxes = DetectionParser.Parse(text, width, height);
                int expectedCount = text.Length == 0 ? 0 : text.Split(';').Length;
                Assert.That(boxes, Has.Count.EqualTo(expectedCount), text);
                foreach (var box in boxes)
                {
                    // The label is "shape" or "colour shape"; the nearest drawn object of that kind must match.
                    string[] words = box.Label.Split(' ');
                    var candidates = objects.Where(o => o.Shape == words[^1] && (words.Length == 1 || o.Color == words[0])).ToList();
                    Assert.That(candidates, Is.Not.Empty, $"no drawn object for label '{box.Label}'");
                    var best = candidates.MinBy(o => Math.Abs(o.Box[0] - box.XMin) + Math.Abs(o.Box[1] - box.YMin));
                    Assert.Multiple(() =>
                    {
                        Assert.That(box.XMin, Is.EqualTo(best.Box[0]).Within(Tolerance(width)), $"{text} x0");
                        Assert.That(box.YMin, Is.EqualTo(best.Box[1]).Within(Tolerance(height)), $"{text} y0");
                        Assert.That(box.XMax, Is.EqualTo(best.Box[2]).Within(Tolerance(width)), $"{text} x1");
                        Assert.That(box.YMax, Is.EqualTo(best.Box[3]).Within(Tolerance(height)), $"{text} y1");
                    });
                    checkedBoxes++;
                }
            }
        }

        Assert.That(checkedBoxes, Is.GreaterThan(0));
    }

    [Test]
    public void CoordinatesFollowTheBigVisionFormula()
    {
        var boxes = DetectionParser.Parse("<loc0000><loc1023><loc0511><loc0256> red circle", imageWidth: 300, imageHeight: 200);
        Assert.That(boxes, Has.Count.EqualTo(1));
        var b = boxes[0];
        Assert.Multiple(() =>
        {
            Assert.That(b.Label, Is.EqualTo("red circle"));
            Assert.That(b.YMin, Is.EqualTo(0.0));
            Assert.That(b.XMin, Is.EqualTo(300.0));
            Assert.That(b.YMax, Is.EqualTo(511 / 1023.0 * 200));
            Assert.That(b.XMax, Is.EqualTo(256 / 1023.0 * 300));
        });
    }

    [TestCase("", 0)]
    [TestCase("   ", 0)]
    [TestCase("no boxes here", 0)]
    [TestCase("<loc0001><loc0002><loc0003> cat", 0)]
    [TestCase("<loc0001><loc0002><loc0003><loc1024> cat", 0)]
    [TestCase("<loc0001><loc0002><loc00x3><loc0004> cat", 0)]
    [TestCase("the <loc0001><loc0002><loc0003><loc0004> cat", 0)]
    [TestCase("<loc0001><loc0002> cat ; <loc0010><loc0020><loc0030><loc0040> dog", 1)]
    [TestCase("<loc0010><loc0020><loc0030><loc0040> dog ; ; garbage ; <loc0001><loc0002><loc0003><loc0004> cat", 2)]
    [TestCase("<loc0010><loc0020><loc0030><loc0040> dog ; <loc0010><loc0020><loc0030><loc0040", 1)]
    public void MalformedObjectsAreSkipped(string text, int expectedBoxes) =>
        Assert.That(DetectionParser.Parse(text, 100, 100), Has.Count.EqualTo(expectedBoxes));

    [Test]
    public void SegmentationTokensAreNotPartOfTheLabel()
    {
        var boxes = DetectionParser.Parse("<loc0010><loc0020><loc0030><loc0040><seg001><seg127> cat", 100, 100);
        Assert.That(boxes.Single().Label, Is.EqualTo("cat"));
    }

    [Test]
    public void ObjectWithoutLabelHasEmptyLabel() =>
        Assert.That(DetectionParser.Parse("<loc0010><loc0020><loc0030><loc0040>", 10, 10).Single().Label, Is.Empty);

    [Test]
    public void NonPositiveImageSizeIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionParser.Parse("x", 0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionParser.Parse("x", 10, -1));
    }

    [Test]
    public void LocationAndSegmentationTokensRoundTrip()
    {
        for (int bin = 0; bin < LocationTokens.LocationBins; bin++)
        {
            Assert.That(LocationTokens.TryParseLocation(LocationTokens.FormatLocation(bin), out int parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(bin));
        }

        for (int code = 0; code < LocationTokens.SegmentationCodes; code++)
        {
            Assert.That(LocationTokens.TryParseSegmentation(LocationTokens.FormatSegmentation(code), out int parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(code));
        }

        Assert.Multiple(() =>
        {
            Assert.That(LocationTokens.TryParseLocation("<loc1024>", out _), Is.False);
            Assert.That(LocationTokens.TryParseLocation("<loc001>", out _), Is.False);
            Assert.That(LocationTokens.TryParseSegmentation("<seg128>", out _), Is.False);
            Assert.That(LocationTokens.TryParseSegmentation("<seg-01>", out _), Is.False);
            Assert.Throws<ArgumentOutOfRangeException>(() => LocationTokens.FormatLocation(1024));
            Assert.Throws<ArgumentOutOfRangeException>(() => LocationTokens.FormatSegmentation(-1));
        });
    }
}
