/**
 * {@code riffle demo --scenario recommendations}: a shop's synthetic traffic (a catalogue of
 * items in categories, shoppers with tastes, sessions of views and purchases, and a taste shift
 * halfway) and the live, prequential recall@10 of the recommendations the pipeline writes, measured
 * against what each shopper does next.
 */
package io.riffle.cli.demo.reco;
