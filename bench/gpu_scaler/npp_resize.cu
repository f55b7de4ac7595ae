// NPP's bilinear resize (nppiResize_8u_C3R_Ctx, NPPI_INTER_LINEAR) on packed RGB images, for
// bench/bench_gpu_scaler.py: the GPU resampler DeepStream's NvBufSurfTransform exposes under the
// same names (scaling-filter 1..4 = NPP's linear, cubic, super-sampling, Lanczos), measured
// against OpenCV's INTER_LINEAR, which alpr_gen.nvinfer.preprocess uses in its place.
//
// in.bin:  u32 count, then per image: u32 h, w, dst_h, dst_w, interp, then h*w*3 bytes (RGB)
// out.bin: per image: dst_h*dst_w*3 bytes
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <cuda_runtime.h>
#include <npp.h>

#define CHECK(x)                                                                \
    do {                                                                        \
        auto rc_ = (x);                                                         \
        if (rc_ != 0) {                                                         \
            std::fprintf(stderr, "%s failed: %d (line %d)\n", #x, (int)rc_, __LINE__); \
            std::exit(1);                                                       \
        }                                                                       \
    } while (0)

static uint32_t read_u32(FILE *f) {
    uint32_t v = 0;
    if (std::fread(&v, 4, 1, f) != 1) std::exit(2);
    return v;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s in.bin out.bin\n", argv[0]);
        return 2;
    }
    FILE *in = std::fopen(argv[1], "rb");
    FILE *out = std::fopen(argv[2], "wb");
    if (!in || !out) return 2;
    cudaDeviceProp prop{};
    CHECK(cudaGetDeviceProperties(&prop, 0));
    NppStreamContext ctx{};
    ctx.hStream = 0;
    ctx.nCudaDeviceId = 0;
    ctx.nMultiProcessorCount = prop.multiProcessorCount;
    ctx.nMaxThreadsPerMultiProcessor = prop.maxThreadsPerMultiProcessor;
    ctx.nMaxThreadsPerBlock = prop.maxThreadsPerBlock;
    ctx.nSharedMemPerBlock = prop.sharedMemPerBlock;
    ctx.nCudaDevAttrComputeCapabilityMajor = prop.major;
    ctx.nCudaDevAttrComputeCapabilityMinor = prop.minor;
    ctx.nStreamFlags = 0;
    const NppLibraryVersion *v = nppGetLibVersion();
    std::fprintf(stderr, "NPP %d.%d.%d on %s\n", v->major, v->minor, v->build, prop.name);
    uint32_t count = read_u32(in);
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t h = read_u32(in), w = read_u32(in), dh = read_u32(in), dw = read_u32(in);
        uint32_t interp = read_u32(in);
        std::vector<uint8_t> src(size_t(h) * w * 3), dst(size_t(dh) * dw * 3);
        if (std::fread(src.data(), 1, src.size(), in) != src.size()) return 2;
        Npp8u *d_src = nullptr, *d_dst = nullptr;
        CHECK(cudaMalloc(&d_src, src.size()));
        CHECK(cudaMalloc(&d_dst, dst.size()));
        CHECK(cudaMemcpy(d_src, src.data(), src.size(), cudaMemcpyHostToDevice));
        NppiSize ssize{int(w), int(h)}, dsize{int(dw), int(dh)};
        NppiRect sroi{0, 0, int(w), int(h)}, droi{0, 0, int(dw), int(dh)};
        CHECK(nppiResize_8u_C3R_Ctx(d_src, int(w) * 3, ssize, sroi, d_dst, int(dw) * 3, dsize,
                                    droi, int(interp), ctx));
        CHECK(cudaMemcpy(dst.data(), d_dst, dst.size(), cudaMemcpyDeviceToHost));
        std::fwrite(dst.data(), 1, dst.size(), out);
        cudaFree(d_src);
        cudaFree(d_dst);
    }
    std::fclose(out);
    std::fclose(in);
    return 0;
}
