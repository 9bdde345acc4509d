package io.riffle.modelops.engine;

import java.io.Serializable;
import java.util.Locale;

/**
 * Where a model should run: {@code cpu}, {@code cuda} / {@code cuda:N}, or {@code auto} (CUDA
 * device {@code deviceId} when the CUDA provider is usable, otherwise the CPU).
 */
public record DeviceRequest(Kind kind, int deviceId) implements Serializable {

    public enum Kind { CPU, CUDA, AUTO }

    private static final String ALLOWED = "cpu, cuda, cuda:N (N = GPU index >= 0), auto, auto:N";

    public DeviceRequest {
        if (kind == null) {
            throw new IllegalArgumentException("device kind must not be null; allowed: " + ALLOWED);
        }
        if (deviceId < 0) {
            throw new IllegalArgumentException("device id must be >= 0, got " + deviceId);
        }
        if (kind == Kind.CPU) {
            deviceId = 0;
        }
    }

    public static DeviceRequest cpu() {
        return new DeviceRequest(Kind.CPU, 0);
    }

    public static DeviceRequest cuda(int deviceId) {
        return new DeviceRequest(Kind.CUDA, deviceId);
    }

    public static DeviceRequest auto() {
        return new DeviceRequest(Kind.AUTO, 0);
    }

    /**
     * Parses {@code cpu | cuda | cuda:N | auto} ({@code auto:N} also, for a GPU other than 0),
     * case-insensitive, surrounding blanks ignored.
     */
    public static DeviceRequest parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("device is missing; allowed: " + ALLOWED);
        }
        String v = s.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "cpu":
                return cpu();
            case "auto":
                return auto();
            case "cuda":
                return cuda(0);
            default:
                break;
        }
        for (Kind kind : new Kind[] {Kind.CUDA, Kind.AUTO}) {
            String prefix = kind.name().toLowerCase(Locale.ROOT) + ":";
            if (v.startsWith(prefix)) {
                String id = v.substring(prefix.length());
                if (!id.isEmpty() && id.length() <= 4 && id.chars().allMatch(Character::isDigit)) {
                    return new DeviceRequest(kind, Integer.parseInt(id));
                }
            }
        }
        throw new IllegalArgumentException("unknown device '" + s + "'; allowed: " + ALLOWED);
    }

    /** The canonical text: {@code cpu}, {@code cuda:N} or {@code auto} ({@code auto:N} for N > 0). */
    @Override
    public String toString() {
        return switch (kind) {
            case CPU -> "cpu";
            case CUDA -> "cuda:" + deviceId;
            case AUTO -> deviceId == 0 ? "auto" : "auto:" + deviceId;
        };
    }
}
