// Dataset construction and its consistency check.
#include "data/dataset.hpp"

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/transforms.hpp"

namespace data {

std::vector<std::size_t> Dataset::class_counts() const {
    std::vector<std::size_t> counts(num_classes, 0);
    for (std::size_t y : labels)
        if (y < num_classes) ++counts[y];
    return counts;
}

void Dataset::check() const {
    const std::string who = name.empty() ? "dataset" : name;
    if (Y.shape(0) != X.shape(0))
        throw DataError(fmt::format("{}: X has {} rows but Y has {}", who, X.shape(0), Y.shape(0)));
    if (task == Task::regression) {
        if (!labels.empty() || num_classes != 0)
            throw DataError(fmt::format("{}: a regression dataset has no labels or classes", who));
        return;
    }
    if (labels.size() != X.shape(0))
        throw DataError(fmt::format("{}: {} labels for {} rows", who, labels.size(), X.shape(0)));
    if (Y.shape(1) != num_classes)
        throw DataError(fmt::format("{}: Y has {} columns for {} classes", who, Y.shape(1), num_classes));
    if (!class_names.empty() && class_names.size() != num_classes)
        throw DataError(fmt::format("{}: {} class names for {} classes", who, class_names.size(), num_classes));
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= num_classes)
            throw DataError(fmt::format("{}: label {} at row {} is out of range for {} classes", who, labels[i], i,
                                        num_classes));
}

Dataset make_classification(std::string name, Matrix X, std::vector<std::size_t> labels, std::size_t num_classes) {
    if (labels.size() != X.shape(0))
        throw DataError(fmt::format("{}: {} labels for {} rows of features", name, labels.size(), X.shape(0)));
    Dataset d;
    d.name = std::move(name);
    d.task = Task::classification;
    d.Y = one_hot(labels, num_classes);
    d.X = std::move(X);
    d.labels = std::move(labels);
    d.num_classes = num_classes;
    return d;
}

Dataset make_regression(std::string name, Matrix X, Matrix Y) {
    if (Y.shape(0) != X.shape(0))
        throw DataError(fmt::format("{}: {} targets for {} rows of features", name, Y.shape(0), X.shape(0)));
    Dataset d;
    d.name = std::move(name);
    d.task = Task::regression;
    d.X = std::move(X);
    d.Y = std::move(Y);
    return d;
}

}  // namespace data
