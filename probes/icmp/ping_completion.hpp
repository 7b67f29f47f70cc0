#pragma once
// What runs when one echo request ends: a move-only `void(Outcome)` callable kept inside the
// Pinger's request slot. std::function would allocate for most callbacks and cannot hold the
// move-only handler of a coroutine (async_ping); this keeps both inline, without a heap
// allocation per echo request, and falls back to the heap only for large callables.
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace avmon::icmp {

template <class Outcome>
class Completion {
public:
    Completion() = default;

    template <class F>
        requires(!std::is_same_v<std::decay_t<F>, Completion> && std::is_invocable_v<std::decay_t<F>&, Outcome>)
    explicit Completion(F&& f) {
        using T = std::decay_t<F>;
        if constexpr (fits_inline<T>()) {
            ::new (static_cast<void*>(storage_)) T(std::forward<F>(f));
            ops_ = &inline_ops<T>;
        } else {
            ::new (static_cast<void*>(storage_)) T*(new T(std::forward<F>(f)));
            ops_ = &heap_ops<T>;
        }
    }

    Completion(Completion&& other) noexcept { take(other); }
    Completion& operator=(Completion&& other) noexcept {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }
    Completion(const Completion&) = delete;
    Completion& operator=(const Completion&) = delete;
    ~Completion() { reset(); }

    explicit operator bool() const { return ops_ != nullptr; }

    // Calls the callable once and leaves this empty. The callable is moved to the stack first:
    // it may start new requests, which can move the slot this Completion lives in.
    void operator()(Outcome outcome) {
        Completion local(std::move(*this));
        if (local.ops_) local.ops_->call(local.storage_, std::move(outcome));
    }

    void reset() {
        if (ops_) std::exchange(ops_, nullptr)->destroy(storage_);
    }

private:
    static constexpr std::size_t inline_size = 48;  // a std::function or a coroutine handler fits

    struct Ops {
        void (*call)(void* self, Outcome&& outcome);
        void (*move)(void* from, void* to) noexcept;  // constructs at `to`, destroys `from`
        void (*destroy)(void* self) noexcept;
    };

    template <class T>
    static constexpr bool fits_inline() {
        return sizeof(T) <= inline_size && alignof(T) <= alignof(std::max_align_t) &&
               std::is_nothrow_move_constructible_v<T>;
    }

    template <class T>
    static constexpr Ops inline_ops{
        [](void* self, Outcome&& o) { (*static_cast<T*>(self))(std::move(o)); },
        [](void* from, void* to) noexcept {
            ::new (to) T(std::move(*static_cast<T*>(from)));
            static_cast<T*>(from)->~T();
        },
        [](void* self) noexcept { static_cast<T*>(self)->~T(); },
    };

    template <class T>
    static constexpr Ops heap_ops{
        [](void* self, Outcome&& o) { (**static_cast<T**>(self))(std::move(o)); },
        [](void* from, void* to) noexcept { ::new (to) T*(*static_cast<T**>(from)); },
        [](void* self) noexcept { delete *static_cast<T**>(self); },
    };

    void take(Completion& other) noexcept {
        if (!other.ops_) return;
        other.ops_->move(other.storage_, storage_);
        ops_ = std::exchange(other.ops_, nullptr);
    }

    alignas(std::max_align_t) std::byte storage_[inline_size];
    const Ops* ops_ = nullptr;
};

}  // namespace avmon::icmp
