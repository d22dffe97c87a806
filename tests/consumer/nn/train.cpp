// A network on a generated dataset with fact-nn: a 2-32-3 ReLU MLP trained with Adam and cross-entropy on
// a Gaussian mixture of 3 classes. Exits non-zero unless it learns (tests/check_install.sh runs it).
#include <cstdio>

#include "data/spec.hpp"
#include "data/transforms.hpp"
#include "nn/init.hpp"
#include "nn/train.hpp"

int main() {
    const data::Dataset mixture = data::load_spec("mixture:d=2,classes=3,n=600", /*seed=*/0).train;
    const data::Split split = data::train_test_split(mixture, /*test_fraction=*/0.25, /*seed=*/0);
    nn::MLP<float> model({2, {32}, 3, nn::Activation::relu, /*bias=*/true});
    data::Rng rng(0);
    nn::initialize(model, {nn::InitConfig::Kind::pytorch}, rng);

    nn::TrainConfig config;
    config.optimizer.kind = nn::OptimizerKind::adam;
    config.lr = 1e-2;
    config.loss = nn::Loss::cross_entropy;
    config.epochs = 200;
    config.quiet = true;
    const nn::TrainResult result = nn::train(model, split.train, split.test, config);
    const double accuracy = result.history.back().test_accuracy;
    std::printf("%s\ntest accuracy %.3f\n", result.message.c_str(), accuracy);
    if (!(accuracy > 0.8)) {
        std::printf("FAILED: the network did not learn the mixture\n");
        return 1;
    }
    return 0;
}
