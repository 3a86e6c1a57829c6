using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace PaliCuda.Cli.Demo;

/// <summary>
/// Draws axis-aligned box outlines straight into pixels. ImageSharp.Drawing is not available to us, and the demo
/// needs nothing more than rectangles.
/// </summary>
internal static class BoxPainter
{
    public static void DrawBox(Image<Rgb24> image, float xMin, float yMin, float xMax, float yMax, Rgb24 color, int thickness = 2)
    {
        int x0 = Clamp((int)MathF.Floor(xMin), image.Width), x1 = Clamp((int)MathF.Ceiling(xMax), image.Width);
        int y0 = Clamp((int)MathF.Floor(yMin), image.Height), y1 = Clamp((int)MathF.Ceiling(yMax), image.Height);
        for (int t = 0; t < thickness; t++)
        {
            HorizontalLine(image, x0, x1, Clamp(y0 + t, image.Height), color);
            HorizontalLine(image, x0, x1, Clamp(y1 - t, image.Height), color);
            VerticalLine(image, Clamp(x0 + t, image.Width), y0, y1, color);
            VerticalLine(image, Clamp(x1 - t, image.Width), y0, y1, color);
        }
    }

    private static int Clamp(int v, int size) => Math.Clamp(v, 0, size - 1);

    private static void HorizontalLine(Image<Rgb24> image, int x0, int x1, int y, Rgb24 color)
    {
        for (int x = x0; x <= x1; x++) image[x, y] = color;
    }

    private static void VerticalLine(Image<Rgb24> image, int x, int y0, int y1, Rgb24 color)
    {
        for (int y = y0; y <= y1; y++) image[x, y] = color;
    }
}
