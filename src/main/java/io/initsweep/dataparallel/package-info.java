/**
 * Data-parallel training, where Spark and Deeplearning4j meet on purpose: a cell's training split as a distributed
 * collection of ND4J minibatches, parameter averaging across the cluster (dl4j-spark), and evaluation of a network
 * where its data lives. {@code spark} reads and prepares the data without DL4J; {@code dl4j} trains and evaluates
 * without Spark; this package joins them.
 */
package io.initsweep.dataparallel;
