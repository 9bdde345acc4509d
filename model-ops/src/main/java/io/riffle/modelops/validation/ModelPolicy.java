package io.riffle.modelops.validation;

import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.trust.ModelVerifier;
import io.riffle.schemas.ModelVersion;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Which versions a scorer admits before it looks at their bytes: whose signature it trusts, which
 * model names it serves, and whether a version must say which feature spec it was built for.
 *
 * @param verifier the trusted keys; with none, signatures are not checked (and unsigned versions pass)
 * @param allowedNames the pipeline's model names (empty: any name). A version of another name is
 *     rejected, except the non-deciding shadow a trainer publishes for a listed model
 *     ({@code <name>}{@value #SHADOW_SUFFIX} with a role other than champion): it cannot decide
 * @param requireSpecHash when the scorer has a feature spec hash, reject versions without one
 *     (else they are served unchecked, as before spec hashes were stamped)
 */
public record ModelPolicy(ModelVerifier verifier, List<String> allowedNames, boolean requireSpecHash)
        implements Serializable {

    /** The name a trainer publishes a losing candidate under, as a shadow of model {@code <name>}. */
    public static final String SHADOW_SUFFIX = "-shadow";

    private static final ModelPolicy DEFAULT = new ModelPolicy(ModelVerifier.none(), List.of(), true);

    public ModelPolicy {
        Objects.requireNonNull(verifier, "verifier");
        allowedNames = List.copyOf(allowedNames);
    }

    /** No trusted keys, any name, a spec hash required where the scorer has one. */
    public static ModelPolicy defaults() {
        return DEFAULT;
    }

    public ModelPolicy withVerifier(ModelVerifier v) {
        return new ModelPolicy(v, allowedNames, requireSpecHash);
    }

    public ModelPolicy withAllowedNames(List<String> names) {
        return new ModelPolicy(verifier, names, requireSpecHash);
    }

    public ModelPolicy withRequireSpecHash(boolean require) {
        return new ModelPolicy(verifier, allowedNames, require);
    }

    /** Whether {@code mv}'s name may be served: listed, or a non-deciding shadow of a listed name. */
    public boolean allowsName(ModelVersion mv) {
        String name = mv.getName();
        if (allowedNames.isEmpty() || allowedNames.contains(name)) {
            return true;
        }
        return !DecisionPolicy.decides(mv) && name != null && name.endsWith(SHADOW_SUFFIX)
                && allowedNames.contains(name.substring(0, name.length() - SHADOW_SUFFIX.length()));
    }
}
