package io.riffle.modelops.features;

import io.riffle.modelops.features.ColumnPlan.Column;
import io.riffle.modelops.features.ColumnPlan.OneHot;
import io.riffle.modelops.spec.FieldFeature;
import io.riffle.modelops.spec.MissingRule;
import io.riffle.modelops.spec.TimeFeature;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The columns computed from one event alone: raw and transformed numbers (clipped, signed log1p,
 * a missing flag), booleans, categorical one-hot or hashed columns, and the hour-of-day and
 * day-of-week cycles of the event time. Each writes its columns at {@code out[o]} and returns the
 * next column's offset; a wrong or missing value throws (through {@link EventFields}) naming the
 * field and the event.
 */
final class FieldTransforms implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final long DAY_MS = 86_400_000L;
    private static final long WEEK_MS = 7 * DAY_MS;
    /** 1970-01-01 was a Thursday: Monday 00:00 is 3 days earlier. */
    private static final long MONDAY_OFFSET_MS = 3 * DAY_MS;

    private final EventFields fields;

    FieldTransforms(EventFields fields) {
        this.fields = fields;
    }

    int numeric(IndexedRecord event, int[] pos, Column c, float[] out, int o) {
        FieldFeature.Numeric f = (FieldFeature.Numeric) c.feature();
        Object v = event.get(pos[c.field()]);
        boolean missing = v == null;
        double x = missing ? fields.missingValue(event, f.field(), f.missing()) : fields.toDouble(event, f.field(), v);
        x = Math.min(f.clipHigh(), Math.max(f.clipLow(), x));
        out[o++] = (float) transform(x, f.log1p());
        if (f.missing().kind() == MissingRule.Kind.FLAG) {
            out[o++] = missing ? 1f : 0f;
        }
        return o;
    }

    int bool(IndexedRecord event, int[] pos, Column c, float[] out, int o) {
        FieldFeature.Bool f = (FieldFeature.Bool) c.feature();
        Object v = event.get(pos[c.field()]);
        double x;
        if (v == null) {
            x = fields.missingValue(event, f.field(), f.missing());
        } else if (v instanceof Boolean b) {
            x = b ? 1.0 : 0.0;
        } else {
            throw fields.wrongType(event, f.field(), v, "a boolean");
        }
        out[o++] = (float) x;
        if (f.missing().kind() == MissingRule.Kind.FLAG) {
            out[o++] = v == null ? 1f : 0f;
        }
        return o;
    }

    /** One-hot over the vocabulary plus "other", or one of the hash buckets ({@link TextHashes#bucket}); all zero when missing. */
    static int categorical(IndexedRecord event, int[] pos, Column c, float[] out, int o) {
        Object v = event.get(pos[c.field()]);
        if (c.feature() instanceof OneHot oh) {
            Arrays.fill(out, o, o + oh.size() + 1, 0f);
            if (v != null) {
                Integer i = oh.index().get(v instanceof Utf8 || v instanceof String ? v : v.toString());
                out[o + (i == null ? oh.size() : i)] = 1f;
            }
            return o + oh.size() + 1;
        }
        int n = ((FieldFeature.Categorical) c.feature()).hashBuckets();
        Arrays.fill(out, o, o + n, 0f);
        if (v != null) {
            out[o + TextHashes.bucket(v, n)] = 1f;
        }
        return o + n;
    }

    /** Sine and cosine of the event time's angle in its day or its week (from Monday 00:00 UTC). */
    static int time(TimeFeature f, long t, float[] out, int o) {
        double angle = f == TimeFeature.HOUR_OF_DAY
                ? 2 * Math.PI * Math.floorMod(t, DAY_MS) / DAY_MS
                : 2 * Math.PI * Math.floorMod(t + MONDAY_OFFSET_MS, WEEK_MS) / WEEK_MS;
        out[o] = (float) Math.sin(angle);
        out[o + 1] = (float) Math.cos(angle);
        return o + 2;
    }

    /** Signed log1p: keeps the order of negative values. */
    static double transform(double x, boolean log1p) {
        return log1p ? Math.copySign(Math.log1p(Math.abs(x)), x) : x;
    }
}
